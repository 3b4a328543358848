package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which removals leave the groups able to commit: never the last member, never a minority in contact. */
class RemovalCheckTest {

    @Test
    void theLastMemberStays() {
        assertThat(RemovalCheck.refusal(List.of("n1"), Set.of("n1"), "n1"))
                .hasValueSatisfying(r -> assertThat(r).contains("'n1' is the last member"));
    }

    @Test
    void aDownMemberMayGoWhileTheOthersAreUp() {
        assertThat(RemovalCheck.refusal(List.of("n1", "n2", "n3"), Set.of("n1", "n2"), "n3")).isEmpty();
        assertThat(RemovalCheck.refusal(List.of("n1", "n2", "n3", "n4"), Set.of("n1", "n2", "n4"), "n3")).isEmpty();
        assertThat(RemovalCheck.refusal(List.of("n1", "n2"), Set.of("n1"), "n2")).isEmpty();
    }

    @Test
    void aRemovalThatLeavesNoMajorityInContactIsRefused() {
        assertThat(RemovalCheck.refusal(List.of("n1", "n2", "n3"), Set.of("n1", "n2"), "n2"))
                .hasValueSatisfying(r -> assertThat(r).contains("removing 'n2' would leave 2 members [n1, n3]",
                        "[n1] is in contact with the leader", "need 2 of them"));
        assertThat(RemovalCheck.refusal(List.of("n1", "n2", "n3", "n4", "n5"), Set.of("n1", "n2", "n5"), "n5"))
                .isPresent();
    }
}
