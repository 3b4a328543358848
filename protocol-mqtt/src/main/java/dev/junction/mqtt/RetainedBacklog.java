package dev.junction.mqtt;

import dev.junction.routing.api.Message;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The retained messages a connection owes its client after SUBSCRIBEs [MQTT-3.3.1-9], sent as the client takes
 * them. A SUBSCRIBE of a few bytes can match every retained message of the vhost (64 MiB by default), and each
 * SUBSCRIBE sends them again: written at once, a client that never reads its socket made the broker hold all of
 * them in its outbound buffer, once per SUBSCRIBE. The rules:
 *
 * <ul>
 *   <li>Only topic names wait here; each message is read from the store when it is its turn.</li>
 *   <li>A message is written only while the socket is writable (below its write-buffer high water mark) and, at
 *       QoS 1 or 2, while fewer than the in-flight window's messages are unacknowledged [MQTT-3.3.4-9].</li>
 *   <li>While anything is owed, the connection's later packets wait and its socket is not read, so further
 *       SUBSCRIBEs cannot pile up more: what one connection can make the broker hold is one backlog of names
 *       plus the write buffer.</li>
 * </ul>
 * Confined to the connection's event loop; {@link #drain} runs again when the socket becomes writable and when an
 * acknowledgement frees the window.
 */
final class RetainedBacklog {
    private record Batch(Iterator<String> topics, int qos, int subscriptionId) {
    }

    private final MqttConnection c;
    /** What is owed, oldest first; null while nothing is (an idle connection, and most of a subscriber's life). */
    private ArrayDeque<Batch> batches;
    /** Whether this backlog holds the connection's packets (see {@link MqttConnection#holdPackets}). */
    private boolean holding;

    RetainedBacklog(MqttConnection c) {
        this.c = c;
    }

    /** Owes the client the retained messages of {@code topics}, at most {@code qos}, after what is owed already. */
    void add(List<String> topics, int qos, int subscriptionId) {
        if (!topics.isEmpty()) {
            batches = batches == null ? new ArrayDeque<>(2) : batches;
            batches.add(new Batch(topics.iterator(), qos, subscriptionId));
        }
    }

    /** Sends what the socket and the window take now; holds the connection's packets until the rest is sent. */
    void drain() {
        while (batches != null && !batches.isEmpty() && c.open()) {
            Batch b = batches.peek();
            if (!b.topics().hasNext()) {
                batches.poll();
                continue;
            }
            if (!c.out.writableNow() || (b.qos() > 0 && !c.outbound.windowHasRoom())) {
                if (!holding) {
                    holding = true;
                    c.hold().hold();
                }
                return;
            }
            String topic = b.topics().next();
            if (!c.topics.mayRead(topic)) {
                continue; // retained messages obey the same read rules as deliveries
            }
            Optional<Message> m = c.server.retained.read(topic);
            m.ifPresent(message -> c.outbound.sendRetained(topic, message, b.qos(), b.subscriptionId()));
        }
        batches = null; // all sent, or the connection closed
        if (holding) {
            holding = false;
            c.hold().release();
        }
    }

    boolean isEmpty() {
        return batches == null || batches.isEmpty();
    }
}
