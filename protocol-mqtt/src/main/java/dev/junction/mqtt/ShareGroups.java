package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared subscriptions ({@code $share/<group>/<filter>}, MQTT 5 section 4.8.2): one queue per group and filter,
 * bound to the MQTT exchange, consumed by every member session, so each message goes to one of them. Alone, the
 * queue is declared by the first member and deleted with the last one. In a cluster it is one replicated queue for
 * every node ({@link ReplicatedShareQueue}): declared through the metadata log by a node's first member, and
 * deleted when a node's last member leaves only if no member of any node still consumes from it.
 *
 * <p>Membership and the queue's existence change together on the group queue's own serial lane, one join or leave
 * at a time and in the order asked, so that a member joining while the last one leaves never finds its queue
 * deleted under it (the join runs after the delete and declares the queue again). No lock is held across the
 * engine calls, and groups do not wait for each other. A group's member set is touched only on its lane. The lanes
 * have their own threads: a client id's lane may wait for a join (at start-up), and a group's lane never waits for
 * anything. In a cluster a join or leave waits for commits: each one is a step of its group, started on the lane
 * once the step before has finished ({@link #inTurn}), and no thread waits meanwhile.
 */
final class ShareGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ShareGroups.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Vhost vhost;
    private final String exchange;
    private final ClientLanes lanes;
    private final Map<String, Set<String>> members = new ConcurrentHashMap<>();
    /** The cluster's group queues; null on a broker alone. */
    private final ReplicatedShareQueue replicated;
    /** Each group's last step not yet finished (cluster only); touched on the group's lane. */
    private final Map<String, CompletableFuture<Void>> lastStep = new ConcurrentHashMap<>();

    /** @param lanes serial lanes keyed by group queue name, on threads of their own */
    ShareGroups(Vhost vhost, String exchange, ClientLanes lanes) {
        this(vhost, exchange, lanes, null);
    }

    /** @param replicated the group queues of a cluster node, or null for a broker alone */
    ShareGroups(Vhost vhost, String exchange, ClientLanes lanes, ReplicatedShareQueue replicated) {
        this.vhost = vhost;
        this.exchange = exchange;
        this.lanes = lanes;
        this.replicated = replicated;
    }

    /**
     * Joins a share group's queue, declaring it and its binding on first use. Completes once the queue is there to
     * be consumed from, or exceptionally with the engine's refusal (a limit, the memory alarm; in a cluster, a node
     * cut off from the majority, which cannot commit the declaration), on the group's lane or an engine thread.
     */
    CompletableFuture<Void> join(String queueName, String bindingKey, String clientId, boolean durable) {
        if (replicated != null) {
            return inTurn(queueName, () -> replicated.declare(queueName, bindingKey)
                    .thenCompose(v -> lanes.run(queueName, () -> add(queueName, clientId))));
        }
        return lanes.run(queueName, () -> {
            if (vhost.queue(queueName).isEmpty()) {
                vhost.declareQueue(new QueueSpec(queueName, durable, false, false, Map.of()), null, false);
            }
            vhost.bind(Binding.toQueue(exchange, queueName, bindingKey, Map.of(Binding.MQTT_FILTER_ARGUMENT, true)),
                    null);
            add(queueName, clientId);
        });
    }

    /** Whether the group queues are a cluster's, one for every node. */
    boolean replicated() {
        return replicated != null;
    }

    /**
     * Joins a group again at start-up for a session restored from this node's store. In a cluster the group queue
     * this node already has is taken as it is (declaring would wait for the metadata log, which may have no leader
     * yet while the node starts); the membership alone is recorded.
     */
    CompletableFuture<Void> rejoin(String queueName, String bindingKey, String clientId) {
        if (replicated != null && vhost.queue(queueName).isPresent()) {
            return inTurn(queueName, () -> {
                add(queueName, clientId);
                return DONE;
            });
        }
        return join(queueName, bindingKey, clientId, true);
    }

    /**
     * Leaves a share group; the group's queue goes with its last member (in a cluster: with this node's last member,
     * unless members of other nodes still consume from it). Asynchronous: on the group's lane.
     */
    void leave(String queueName, String clientId) {
        // In a cluster a session may leave a group it never joined on this node (a clean start here of a session
        // whose membership the cluster recorded elsewhere, ShareMemberships): with no member here either, the queue
        // goes unless used elsewhere, as when this node's last member leaves.
        CompletableFuture<Void> left = replicated != null
                ? inTurn(queueName, () -> removeLast(queueName, clientId) || !members.containsKey(queueName)
                        ? replicated.deleteIfUnused(queueName, clientId) : DONE)
                : lanes.run(queueName, () -> {
                    if (removeLast(queueName, clientId)) {
                        vhost.deleteQueue(queueName, false, false, null);
                    }
                });
        left.whenComplete((v, error) -> {
            if (error != null) {
                LOG.warn("MQTT client '{}' could not leave the share group queue '{}': {}", clientId, queueName,
                        error.toString());
            }
        });
    }

    /**
     * The session's membership moved to another node of the cluster (it resumed there, and that node joins the group
     * from the session's record): this node's membership goes, and the queue stays whatever this node has left, so
     * what was queued for the group while the session was away waits for it there. Alone, a plain {@link #leave}.
     */
    void handOver(String queueName, String clientId) {
        if (replicated == null) {
            leave(queueName, clientId);
            return;
        }
        inTurn(queueName, () -> {
            removeLast(queueName, clientId);
            return DONE;
        });
    }

    /** On the group's lane. */
    private void add(String queueName, String clientId) {
        members.computeIfAbsent(queueName, k -> new HashSet<>()).add(clientId);
    }

    /** Removes a member; true when it was this node's last one. On the group's lane. */
    private boolean removeLast(String queueName, String clientId) {
        Set<String> group = members.get(queueName);
        if (group != null && group.remove(clientId) && group.isEmpty()) {
            members.remove(queueName);
            return true;
        }
        return false;
    }

    /**
     * Runs {@code step} for the group once its steps asked before have finished, whether they succeeded or not: a
     * step is queued on the group's lane (so steps are ordered as asked), and started, on the lane, when the one
     * before completes; what it does after a wait goes back to the lane to touch the members. A step that waits for a commit holds its group's later steps, and no thread.
     */
    private CompletableFuture<Void> inTurn(String queueName, Supplier<CompletableFuture<Void>> step) {
        return lanes.submit(queueName, () -> {
            CompletableFuture<Void> before = lastStep.getOrDefault(queueName, DONE);
            CompletableFuture<Void> result = before.handle((v, e) -> null)
                    .thenCompose(v -> lanes.submit(queueName, step))
                    .thenCompose(started -> started);
            CompletableFuture<Void> finished = result.handle((v, e) -> null);
            lastStep.put(queueName, finished);
            finished.thenRun(() -> lanes.run(queueName, () -> lastStep.remove(queueName, finished)));
            return result;
        }).thenCompose(result -> result);
    }
}
