package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The plan of a quorum leader rebalance (RabbitMQ's {@code rabbitmq-queues rebalance quorum}): leaders spread over
 * the members in contact to within one group of each other, with as few moves as that takes, never onto a node
 * that is not a member of the group or not in contact, and never a group this node knows no leader of.
 */
class LeaderPlanTest {
    private static final List<String> ALL = List.of("n1", "n2", "n3");

    private static Map<String, List<String>> everyGroupOn(List<String> nodes, int groups) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int g = 0; g < groups; g++) {
            m.put("quorum-" + g, nodes);
        }
        return m;
    }

    private static Map<String, Integer> led(Map<String, String> leaders, Map<String, String> moves) {
        Map<String, String> after = new TreeMap<>(leaders);
        after.putAll(moves);
        Map<String, Integer> count = new TreeMap<>();
        after.values().forEach(n -> count.merge(n, 1, Integer::sum));
        return count;
    }

    @Test
    void fourGroupsLedByOneNodeSpreadTwoOneOneInTwoMoves() {
        Map<String, String> leaders = Map.of("quorum-0", "n1", "quorum-1", "n1", "quorum-2", "n1", "quorum-3", "n1");
        Map<String, String> moves = LeaderPlan.moves(leaders, everyGroupOn(ALL, 4), Set.copyOf(ALL));
        assertThat(moves).hasSize(2);
        assertThat(led(leaders, moves)).containsEntry("n1", 2).containsEntry("n2", 1).containsEntry("n3", 1);
    }

    @Test
    void aSpreadOfOneIsLeftAsItIs() {
        Map<String, String> leaders = Map.of("quorum-0", "n1", "quorum-1", "n1", "quorum-2", "n2", "quorum-3", "n3");
        assertThat(LeaderPlan.moves(leaders, everyGroupOn(ALL, 4), Set.copyOf(ALL))).isEmpty();
    }

    @Test
    void aNodeOutOfContactGetsNothingAndItsGroupsAreLeftAlone() {
        Map<String, String> leaders = Map.of("quorum-0", "n1", "quorum-1", "n1", "quorum-2", "n1", "quorum-3", "n3");
        Map<String, String> moves = LeaderPlan.moves(leaders, everyGroupOn(ALL, 4), Set.of("n1", "n2"));
        assertThat(moves.values()).containsOnly("n2");
        assertThat(moves).doesNotContainKey("quorum-3");
        assertThat(led(leaders, moves)).containsEntry("n1", 2).containsEntry("n2", 1);
    }

    @Test
    void aGroupWithoutALeaderIsNotMoved() {
        Map<String, String> leaders = new TreeMap<>(Map.of("quorum-0", "n1", "quorum-1", "n1", "quorum-2", "n1"));
        leaders.put("quorum-3", null);
        Map<String, String> moves = LeaderPlan.moves(leaders, everyGroupOn(ALL, 4), Set.copyOf(ALL));
        assertThat(moves).doesNotContainKey("quorum-3").hasSize(2);
    }

    @Test
    void leadershipOnlyMovesToAMemberOfTheGroup() {
        Map<String, List<String>> members = Map.of("quorum-0", List.of("n1", "n2"), "quorum-1", List.of("n1", "n2"),
                "quorum-2", List.of("n1", "n3"));
        Map<String, String> leaders = Map.of("quorum-0", "n1", "quorum-1", "n1", "quorum-2", "n1");
        Map<String, String> moves = LeaderPlan.moves(leaders, members, Set.copyOf(ALL));
        moves.forEach((group, to) -> assertThat(members.get(group)).contains(to));
        assertThat(led(leaders, moves).values()).containsOnly(1);
    }

    @Test
    void theSamePicturePlansTheSameMoves() {
        Map<String, String> leaders = Map.of("quorum-0", "n2", "quorum-1", "n2", "quorum-2", "n2", "quorum-3", "n2");
        assertThat(LeaderPlan.moves(leaders, everyGroupOn(ALL, 4), Set.copyOf(ALL)))
                .isEqualTo(LeaderPlan.moves(new TreeMap<>(leaders), everyGroupOn(ALL, 4), Set.of("n3", "n2", "n1")));
    }
}
