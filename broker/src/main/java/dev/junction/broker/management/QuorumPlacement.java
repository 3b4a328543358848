package dev.junction.broker.management;

import dev.junction.cluster.ClusterMember;
import dev.junction.cluster.ClusterStatus;
import dev.junction.cluster.GroupStatus;
import dev.junction.cluster.quorum.QuorumNode;
import dev.junction.routing.quorum.QuorumArguments;
import java.util.List;
import java.util.Map;

/**
 * Where a quorum queue's replicas are, in the fields RabbitMQ's management API gives a quorum queue: {@code leader}
 * (the node leading the queue's Raft group), {@code members} (the group's nodes) and {@code node} set to the leader,
 * as RabbitMQ sets it for a quorum queue. A node's name here is its {@code cluster.node_id}. Each quorum queue is
 * placed on one of the fixed quorum groups (docs/cluster.md, "Quorum queues"), so the groups are read once per
 * request ({@link #now}) however many queues a listing shows. A broker alone, or a classic queue, gets none of it.
 */
final class QuorumPlacement {
    /** A broker without a cluster: queues keep the fields of a single node. */
    static final QuorumPlacement ALONE = new QuorumPlacement(BrokerControl.NONE);

    private final BrokerControl control;

    QuorumPlacement(BrokerControl control) {
        this.control = control;
    }

    /** The quorum groups as this node sees them now, read when the first quorum queue asks. */
    View now() {
        return new View(control);
    }

    /** One request's look at the groups. */
    static final class View {
        private final BrokerControl control;
        private List<GroupStatus> groups;

        private View(BrokerControl control) {
            this.control = control;
        }

        /** Adds {@code leader} and {@code members} to a quorum queue's view and makes its {@code node} the leader. */
        void annotate(Map<String, Object> queue) {
            if (!QuorumArguments.TYPE.equals(queue.get("type"))) {
                return;
            }
            QuorumNode quorum = control.quorum().orElse(null);
            if (quorum == null) {
                return;
            }
            if (groups == null) {
                groups = control.clusterStatus().map(ClusterStatus::quorumGroups).orElse(List.of());
            }
            int index = quorum.groupIndexOf((String) queue.get("vhost"), (String) queue.get("name"));
            if (index < 0 || index >= groups.size()) {
                return; // the quorum groups have not started on this node yet
            }
            GroupStatus group = groups.get(index);
            if (!group.leader().isEmpty()) {
                queue.put("node", group.leader());
            }
            queue.put("leader", group.leader().isEmpty() ? null : group.leader()); // none elected: null, not ""
            queue.put("members", group.members().stream().map(ClusterMember::id).toList());
        }
    }
}
