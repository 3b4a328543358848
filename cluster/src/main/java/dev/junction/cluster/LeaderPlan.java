package dev.junction.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which quorum groups' leadership to move so that the members in contact lead about as many groups each (RabbitMQ's
 * {@code rabbitmq-queues rebalance quorum}). A node leads every group it won an election in; after a rolling restart
 * the last node up leads none and the others lead the rest, so their disks and CPUs take every append while one
 * node only follows. Moving leadership is cheap (Ratis hands it to a caught-up follower) but not free (the group
 * takes no commands for about one round trip), so the plan makes only the moves that narrow the spread: while the
 * busiest node leads two or more groups more than the idlest, one of its groups whose members include the idlest
 * node moves there. Each move lowers the sum of squared counts, so the loop ends, with at most one group of spread.
 * A pure function of what it is given, with ties broken by name, so the same cluster gives the same plan.
 */
final class LeaderPlan {
    private LeaderPlan() {
    }

    /**
     * {@code leaders}: each group's leader as this node knows it (groups without one, or led by a node not in
     * {@code up}, are left alone: a transfer is the leader's to make); {@code members}: each group's members;
     * {@code up}: the members in contact with the metadata leader. Returns each group to move and its new leader.
     */
    static Map<String, String> moves(Map<String, String> leaders, Map<String, List<String>> members, Set<String> up) {
        Map<String, String> current = new TreeMap<>();
        leaders.forEach((group, leader) -> {
            if (leader != null && up.contains(leader)) {
                current.put(group, leader);
            }
        });
        Map<String, Integer> led = new TreeMap<>();
        for (String node : new TreeSet<>(up)) {
            led.put(node, 0);
        }
        current.values().forEach(n -> led.merge(n, 1, Integer::sum));
        Map<String, String> moves = new LinkedHashMap<>();
        while (led.size() > 1) {
            List<String> byLoad = new ArrayList<>(led.keySet());
            byLoad.sort(Comparator.comparing((String n) -> led.get(n)).thenComparing(n -> n));
            String idlest = byLoad.get(0);
            String busiest = byLoad.get(byLoad.size() - 1);
            if (led.get(busiest) - led.get(idlest) < 2) {
                return moves;
            }
            String group = current.entrySet().stream()
                    .filter(e -> e.getValue().equals(busiest))
                    .map(Map.Entry::getKey)
                    .filter(g -> members.getOrDefault(g, List.of()).contains(idlest))
                    .findFirst().orElse(null);
            if (group == null) {
                return moves; // no group of the busiest node has the idlest as a member: nothing narrows it
            }
            current.put(group, idlest);
            moves.put(group, idlest);
            led.merge(busiest, -1, Integer::sum);
            led.merge(idlest, 1, Integer::sum);
        }
        return moves;
    }
}
