package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNSUBSCRIBE: each filter's binding is removed (a shared subscription leaves its group), and UNSUBACK answers
 * with one code per filter in order [MQTT-3.10.4-4, MQTT-3.11.3-1].
 *
 * <p>A non-shared subscription's binding is removed through the engine's {@code unbindAsync}. Alone, or for a
 * session that ends with its connection, that is done at once and the UNSUBACK goes as before. In a cluster a
 * persistent session's binding is a replicated definition, removed only once the metadata log committed its
 * deletion (docs/cluster.md, "MQTT sessions"): the UNSUBACK then waits for it, so an UNSUBSCRIBE answered by a node
 * that dies the moment after is not undone on the others. Meanwhile the connection holds its later packets
 * ({@link PacketHold}, as {@link SubscribeFlow} does for a SUBSCRIBE that waits), so a PUBLISH or SUBSCRIBE sent
 * after the UNSUBSCRIBE is handled after it; the event loop never waits. The filters are removed one after another,
 * in the packet's order, so one named twice is answered as before (No subscription existed the second time).
 */
final class UnsubscribeFlow {
    private static final Logger LOG = LoggerFactory.getLogger(UnsubscribeFlow.class);

    private final MqttConnection c;
    private final int packetId;
    private final List<String> filters;
    private final short[] codes;
    /** Whether this UNSUBSCRIBE held the connection's later packets (released with the UNSUBACK). */
    private boolean held;

    private UnsubscribeFlow(MqttConnection c, int packetId, List<String> filters) {
        this.c = c;
        this.packetId = packetId;
        this.filters = filters;
        this.codes = new short[filters.size()];
    }

    static void unsubscribe(MqttConnection c, MqttUnsubscribeMessage m) {
        new UnsubscribeFlow(c, m.idAndPropertiesVariableHeader().messageId(), m.payload().topics()).applyFrom(0);
    }

    /** Removes the filters from {@code from} on; stops at one whose removal waits, and goes on when it is done. */
    private void applyFrom(int from) {
        for (int i = from; i < codes.length; i++) {
            Subscriptions.Subscription s = c.session().subscriptions.get(filters.get(i));
            if (s == null) {
                codes[i] = (short) ReasonCode.NO_SUBSCRIPTION_EXISTED.code();
                continue;
            }
            if (s.shared() && !ShareMemberships.recorded(c)) {
                leaveShared(s);
                continue;
            }
            CompletableFuture<Void> unbound;
            try {
                // A recorded shared subscription's record goes as a binding does (ShareMemberships).
                unbound = s.shared() ? ShareMemberships.erase(c.server.vhost, s, c.session().queueName)
                        : c.server.vhost.unbindAsync(s.binding(c.server.config.exchange()), null);
            } catch (BrokerException e) {
                unbound = CompletableFuture.failedFuture(e); // refused before anything changed (no leader known)
            }
            if (!unbound.isDone()) {
                if (!held) {
                    held = true;
                    c.hold().hold();
                }
                int at = i;
                unbound.whenComplete((v, error) -> c.onLoop(() -> {
                    // A connection closed meanwhile gets nothing; its held packets went with it.
                    if (c.state == MqttConnection.State.CONNECTED && settled(at, s, error)) {
                        applyFrom(at + 1);
                    }
                }));
                return;
            }
            Throwable error = null;
            try {
                unbound.join();
            } catch (CompletionException e) {
                error = e;
            }
            if (!settled(i, s, error)) {
                return;
            }
        }
        c.out.write(new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(codes)));
        if (held) {
            held = false;
            c.hold().release();
        }
    }

    /**
     * A shared subscription leaves its group at once (a persistent session's in a cluster once the removal of its
     * record is committed, as for a binding): the UNSUBACK does not wait for the group queue's deletion, which in a
     * cluster happens only if no member on any node still consumes from it (ShareGroups).
     */
    private void leaveShared(Subscriptions.Subscription s) {
        c.session().subscriptions.remove(s.filter());
        try {
            c.outbound.stopConsuming(s.queue());
            c.server.shares.leave(s.queue(), c.clientId());
            c.server.stored.persist(c.session());
        } catch (BrokerException e) {
            LOG.warn("UNSUBSCRIBE '{}' by '{}' failed: {}", s.filter(), c.clientId(), e.getMessage());
        }
    }

    /**
     * Records filter {@code i}'s outcome; false when the connection was closed instead. The subscription stays in the
     * session until its binding is gone, so what the binding routes meanwhile is still delivered, and a refused
     * UNSUBSCRIBE leaves the session as it was.
     */
    private boolean settled(int i, Subscriptions.Subscription s, Throwable error) {
        if (error == null) {
            if (s.shared()) {
                leaveShared(s); // the record is gone cluster-wide: a resume on any node no longer joins
            }
            c.session().subscriptions.remove(s.filter());
            codes[i] = (short) ReasonCode.SUCCESS.code();
            return true;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.warn("UNSUBSCRIBE '{}' by '{}' failed: {}", s.filter(), c.clientId(),
                cause instanceof BrokerException ? cause.getMessage() : cause);
        if (c.v5()) {
            // MQTT 5 has a failure code for each filter: Unspecified error [MQTT-3.11.3-1, MQTT-3.11.3-2].
            codes[i] = (short) ReasonCode.UNSPECIFIED_ERROR.code();
            return true;
        }
        // MQTT 3.1.1's UNSUBACK has no payload (section 3.11.3): sent for every UNSUBSCRIBE, even one that matched no
        // subscription [MQTT-3.10.4-4, MQTT-3.10.4-5], it tells the client its filters are gone and has no way to
        // say one is not. A removal that could not be made is a transient error while processing an inbound packet,
        // and the server closes the connection without an UNSUBACK [MQTT-4.8.0-2], as it does when a QoS 1 publish
        // cannot be stored (no PUBACK); the client, its UNSUBSCRIBE unanswered, sends it again after reconnecting.
        // (A SUBSCRIBE's refusal has a 3.1.1 code, Failure 0x80 [MQTT-3.9.3-2]; an UNSUBSCRIBE's has none.)
        c.closeWith(ReasonCode.UNSPECIFIED_ERROR, "UNSUBSCRIBE of '" + s.filter() + "' not committed");
        return false;
    }
}
