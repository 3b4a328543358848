package dev.junction.mqtt;

import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.exchange.TopicExchange;
import dev.junction.routing.queue.Queue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Shared subscriptions ({@code $share/<group>/<filter>}, MQTT 5 section 4.8.2): one queue per group and filter,
 * bound to the MQTT exchange, consumed by every member session, so each message goes to one of them. The queue is
 * declared by the first member and deleted with the last one.
 *
 * <p>Membership and the queue's existence change together under this object's monitor, so that a member joining
 * while the last one leaves never finds its queue deleted under it. It is the only monitor left in the MQTT session
 * state, and it is held only by share-group joins and leaves.
 */
final class ShareGroups {
    private final VirtualHost vhost;
    private final String exchange;
    private final Map<String, Set<String>> members = new HashMap<>();

    ShareGroups(VirtualHost vhost, String exchange) {
        this.vhost = vhost;
        this.exchange = exchange;
    }

    /** Joins a share group's queue (declaring it and its binding on first use). */
    synchronized Queue join(String queueName, String bindingKey, String clientId, boolean durable) {
        Queue q = vhost.queue(queueName).orElseGet(() ->
                vhost.declareQueue(new QueueSpec(queueName, durable, false, false, Map.of()), null, false));
        vhost.bind(Binding.toQueue(exchange, queueName, bindingKey,
                Map.of(TopicExchange.MQTT_FILTER_ARGUMENT, true)), null);
        members.computeIfAbsent(queueName, k -> new HashSet<>()).add(clientId);
        return q;
    }

    /** Leaves a share group; the group's queue goes with its last member. */
    synchronized void leave(String queueName, String clientId) {
        Set<String> group = members.get(queueName);
        if (group != null && group.remove(clientId) && group.isEmpty()) {
            members.remove(queueName);
            vhost.deleteQueue(queueName, false, false, null);
        }
    }
}
