package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared subscriptions ({@code $share/<group>/<filter>}, MQTT 5 section 4.8.2): one queue per group and filter,
 * bound to the MQTT exchange, consumed by every member session, so each message goes to one of them. The queue is
 * declared by the first member and deleted with the last one.
 *
 * <p>Membership and the queue's existence change together on the group queue's own serial lane, one join or leave
 * at a time and in the order asked, so that a member joining while the last one leaves never finds its queue
 * deleted under it (the join runs after the delete and declares the queue again). No lock is held across the
 * engine calls, and groups do not wait for each other. A group's member set is touched only on its lane. The lanes
 * have their own threads: a client id's lane may wait for a join (at start-up), and a group's lane never waits for
 * anything.
 */
final class ShareGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ShareGroups.class);

    private final Vhost vhost;
    private final String exchange;
    private final ClientLanes lanes;
    private final Map<String, Set<String>> members = new ConcurrentHashMap<>();

    /** @param lanes serial lanes keyed by group queue name, on threads of their own */
    ShareGroups(Vhost vhost, String exchange, ClientLanes lanes) {
        this.vhost = vhost;
        this.exchange = exchange;
        this.lanes = lanes;
    }

    /**
     * Joins a share group's queue, declaring it and its binding on first use. Completes once the queue is there to
     * be consumed from, or exceptionally with the engine's refusal (a limit, the memory alarm), on the group's lane.
     */
    CompletableFuture<Void> join(String queueName, String bindingKey, String clientId, boolean durable) {
        return lanes.run(queueName, () -> {
            if (vhost.queue(queueName).isEmpty()) {
                vhost.declareQueue(new QueueSpec(queueName, durable, false, false, Map.of()), null, false);
            }
            vhost.bind(Binding.toQueue(exchange, queueName, bindingKey, Map.of(Binding.MQTT_FILTER_ARGUMENT, true)),
                    null);
            members.computeIfAbsent(queueName, k -> new HashSet<>()).add(clientId);
        });
    }

    /** Leaves a share group; the group's queue goes with its last member. Asynchronous: on the group's lane. */
    void leave(String queueName, String clientId) {
        lanes.run(queueName, () -> {
            Set<String> group = members.get(queueName);
            if (group != null && group.remove(clientId) && group.isEmpty()) {
                members.remove(queueName);
                vhost.deleteQueue(queueName, false, false, null);
            }
        }).whenComplete((v, error) -> {
            if (error != null) {
                LOG.warn("MQTT client '{}' could not leave the share group queue '{}': {}", clientId, queueName,
                        error.toString());
            }
        });
    }
}
