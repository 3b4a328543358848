package dev.junction.cluster;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether removing a member leaves the groups able to commit: the members left must not be none, and a majority of
 * them must be in contact with the leader now, or the new configuration (and everything after it) would wait for
 * nodes that are down. Raft needs a majority of the new configuration to commit the change itself.
 */
final class RemovalCheck {

    private RemovalCheck() {
    }

    /** The reason {@code id} may not be removed from {@code members} while {@code reachable} answer, or empty. */
    static Optional<String> refusal(List<String> members, Set<String> reachable, String id) {
        List<String> left = members.stream().filter(m -> !m.equals(id)).toList();
        if (left.isEmpty()) {
            return Optional.of("'" + id + "' is the last member of the cluster; a cluster needs at least one");
        }
        List<String> up = left.stream().filter(reachable::contains).toList();
        if (up.size() <= left.size() / 2) {
            return Optional.of("removing '" + id + "' would leave " + left.size() + " members " + left + " of which "
                    + (up.isEmpty() ? "none is" : up + (up.size() == 1 ? " is" : " are")) + " in contact with the "
                    + "leader: the groups need " + (left.size() / 2 + 1) + " of them to commit; start the members "
                    + "that are down first");
        }
        return Optional.empty();
    }
}
