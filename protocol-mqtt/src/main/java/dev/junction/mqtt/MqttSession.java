package dev.junction.mqtt;

import dev.junction.routing.VirtualHost;
import dev.junction.routing.exchange.Binding;
import dev.junction.routing.exchange.TopicExchange;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * The server side of an MQTT session: its queue ({@code mqtt.session.<clientId>}) holds the messages, its
 * subscriptions are bindings to that queue, and this object keeps the rest. Fields other than the registry's
 * ({@code owner}, timers, will) are touched only by the owning connection's event loop; ownership moves under
 * the {@link MqttServer} lock, which orders the hand-over.
 */
final class MqttSession {
    final String clientId;
    final String queueName;
    final Subscriptions subscriptions = new Subscriptions();
    /** Inbound QoS 2 packet ids answered with PUBREC and waiting for PUBREL [MQTT-4.3.3-9]. */
    final Set<Integer> inboundQos2 = new HashSet<>();
    /** Outbound QoS 2 packet ids whose PUBREC arrived but whose PUBCOMP did not: PUBREL is resent [MQTT-4.4.0-1]. */
    final Set<Integer> pendingRelease = new LinkedHashSet<>();

    // Guarded by the MqttServer lock.
    MqttConnection owner;
    ScheduledFuture<?> expiry;
    private Will will;
    private ScheduledFuture<?> willTimer;

    MqttSession(String clientId) {
        this.clientId = clientId;
        this.queueName = TopicMapping.sessionQueue(clientId);
    }

    /** Rebuilds a session from its durable queue's bindings (the options travel in the binding arguments). */
    static MqttSession recover(String clientId, VirtualHost vhost, String exchange) {
        MqttSession s = new MqttSession(clientId);
        vhost.exchange(exchange).ifPresent(x -> {
            for (Binding b : x.bindings()) {
                if (b.toQueue() && b.destination().equals(s.queueName)
                        && b.arguments().containsKey(TopicExchange.MQTT_FILTER_ARGUMENT)) {
                    s.subscriptions.put(Subscriptions.Subscription.fromBinding(b));
                }
            }
        });
        return s;
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    void setWill(Will w, ScheduledFuture<?> timer) {
        this.will = w;
        this.willTimer = timer;
    }

    void cancelWill() {
        if (willTimer != null) {
            willTimer.cancel(false);
        }
        will = null;
        willTimer = null;
    }

    /** The pending delayed will, removed so it is published at most once. */
    Will takeWill() {
        Will w = will;
        if (willTimer != null) {
            willTimer.cancel(false);
        }
        will = null;
        willTimer = null;
        return w;
    }
}
