package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConsumeRequest;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.Credit;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages to the client: consumers on the session queue and on shared-subscription queues, the in-flight window
 * (one {@link Credit} of min(client Receive Maximum, mqtt.max_inflight) across them [MQTT-3.3.4-9]), outbound
 * packet ids, QoS 1/2 acknowledgement and outbound topic aliases. PUBACK settles a QoS 1 delivery in the engine.
 * For QoS 2 the PUBREC hands the message over to the session: its packet id goes into the session's pending
 * releases (stored for a session that outlives its connection), and once that is durable the engine delivery is
 * settled and the PUBREL sent, so a restarted broker resends the PUBREL, not the PUBLISH [MQTT-4.4.0-1]. Such a
 * message still counts against the in-flight window until its PUBCOMP [MQTT-3.3.4-9].
 */
final class Outbound {
    private static final Logger LOG = LoggerFactory.getLogger(Outbound.class);
    private static final ViolationLog UNREPRESENTABLE_LOG = new ViolationLog(LOG);

    private final MqttConnection c;
    // Immutable and empty until the first consumer (an idle connection has none) and once released: see removed.
    private Map<String, Consumption> consumers = Map.of();
    private Map<String, QueueSink> sinks = Map.of();
    private Map<Integer, InFlight> inFlight = Map.of(); // a HashMap from the first QoS 1/2 PUBLISH (inFlight())
    /** Made with the first alias (MQTT 5 clients that accept them). */
    private Map<String, Integer> topicAliases;
    /** The in-flight window, made with the first consumer: {@code windowSize} until then. */
    private Credit window;
    private int windowSize;
    private int aliasMaximum;
    private int nextPacketId = 1;
    /** In-flight QoS 2 messages no longer holding engine credit (settled at PUBREC, or resumed with the session). */
    private final AtomicInteger held = new AtomicInteger();

    Outbound(MqttConnection c) {
        this.c = c;
    }

    void configure(int windowSize, int clientTopicAliasMaximum) {
        this.windowSize = windowSize;
        this.aliasMaximum = clientTopicAliasMaximum;
    }

    /** After CONNACK: resend PUBRELs of the resumed session [MQTT-4.4.0-1], then consume. */
    void start() {
        for (int id : c.session().pendingReleaseIds()) {
            InFlight f = new InFlight(null, 0, 2);
            f.received = true;
            f.held = true;
            held.incrementAndGet();
            inFlight().put(id, f);
            send(MqttMessageType.PUBREL, id);
        }
        if (c.server.vhost.queue(c.session().queueName).isPresent()) {
            consume(c.session().queueName); // a session without one gets it with its first subscription
        }
        for (Subscriptions.Subscription s : c.session().subscriptions.all()) {
            if (s.shared()) {
                consume(s.queue());
            }
        }
    }

    void consume(String queueName) {
        if (sinks.containsKey(queueName)) {
            return;
        }
        if (c.server.vhost.queue(queueName).isEmpty()) {
            LOG.warn("queue '{}' of MQTT client '{}' is gone", queueName, c.clientId());
            return;
        }
        QueueSink sink = new QueueSink(c, this, queueName);
        sinks = sinks.isEmpty() ? new HashMap<>(2) : sinks; // most devices consume from one queue: a small table
        sinks.put(queueName, sink);
        consumeOn(queueName, sink).whenComplete((consumer, error) -> c.onLoop(() -> {
            if (error != null) {
                LOG.warn("MQTT client '{}' could not consume from '{}': {}", c.clientId(), queueName,
                        error.getMessage());
                if (ShareRejoin.deleted(error)) {
                    lost(sink); // deleted between the subscription and the consumer's start
                } else {
                    removed(sinks, queueName, sink);
                }
            } else if (sinks.get(queueName) != sink || !c.open()) {
                consumer.cancel();
            } else {
                consumers = consumers.isEmpty() ? new LinkedHashMap<>(2) : consumers;
                consumers.put(queueName, consumer);
            }
        }));
    }

    /** One consumer on {@code queueName} drawing from the window; a queue deleted meanwhile fails the future. */
    private CompletableFuture<Consumption> consumeOn(String queueName, QueueSink sink) {
        window = window == null ? Credit.of(windowSize, 0) : window;
        try {
            return c.server.vhost.consume(queueName,
                    new ConsumeRequest("mqtt:" + c.clientId(), false, false, 0, List.of(window), null), sink);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    void stopConsuming(String queueName) {
        removed(sinks, queueName, null);
        Consumption consumer = removed(consumers, queueName, null);
        if (consumer != null) {
            consumer.cancel();
        }
    }

    /** Removes {@code key} (only when it maps to {@code value}, unless null); an immutable empty map is left. */
    private static <V> V removed(Map<String, V> m, String key, V value) {
        V v = m.get(key);
        return v != null && (value == null || v == value) ? m.remove(key) : null;
    }

    void resume() {
        consumers.values().forEach(Consumption::resume);
    }

    /** The connection closed: stop consuming; unacknowledged deliveries go back to their queues (redelivered). */
    void release() {
        sinks = Map.of();
        consumers.values().forEach(Consumption::cancel);
        consumers = Map.of();
        inFlight.forEach((id, f) -> {
            // A received one is in the session's pending releases already (the engine delivery is settled once
            // that is stored): only the PUBREL/PUBCOMP exchange remains, on the next connection.
            if (!f.received && f.queue != null) {
                f.queue.settle(f.deliveryId, Settlement.REQUEUE);
            }
        });
        inFlight = Map.of();
    }

    void deliver(QueueSink sink, Delivery d) {
        Settlement back = offer(sink, d);
        // The one place a delivery goes back to its queue without the client's acknowledgement. A QoS 0 message
        // comes auto-acknowledged (QueueSink.settlesOnSend): there is nothing to settle.
        if (back != null && !d.autoAck()) {
            d.settle(back);
        }
    }

    /**
     * Sends {@code d} to the client, or says how it goes back: REQUEUE when this consumer is gone (redelivered to
     * the session later), ACK when it is not for this client (no matching subscription, expired, unreadable topic,
     * too big) or was sent at QoS 0; null when it is in flight, settled by the client's acknowledgement.
     */
    private Settlement offer(QueueSink sink, Delivery d) {
        if (!c.open() || sinks.get(sink.queueName) != sink) {
            return Settlement.REQUEUE;
        }
        Message m = d.message();
        String topic = PropertyMapping.topicOf(m);
        MqttProperties props = c.v5() ? PropertyMapping.toProperties(m, System.currentTimeMillis()) : null;
        // The engine says which subscriptions matched (their bindings); a share group's queue is one subscription.
        Grant grant = sink.queueName.equals(c.session().queueName)
                ? Grant.of(d.matched(), c.session().subscriptions, topic,
                        c.clientId().equals(PropertyMapping.clientIdOf(m)), props)
                : Grant.of(c.session().subscriptions.sharedFor(sink.queueName), props);
        if (grant.granted() && !PropertyMapping.validTopicName(topic)) {
            // An AMQP routing key that is no MQTT Topic Name ("", "a.#", "a.+", U+0000): it cannot be sent
            // [MQTT-3.3.2-2, MQTT-4.7.3-1], so it is dropped for this client, settled, counted and logged.
            c.server.unrepresentable.increment();
            UNREPRESENTABLE_LOG.warn("dropping a message for MQTT client '{}': routing key '{}' is no MQTT topic name",
                    c.clientId(), m.routingKey());
            return Settlement.ACK;
        }
        if (!grant.granted() || (c.v5() && props == null) || !c.topics.mayRead(topic)) {
            // Not for this client, expired, or on a topic its user may not read (a wildcard or shared filter that
            // also matches denied topics was granted): dropped, settled so it does not come back.
            return Settlement.ACK;
        }
        int qos = Math.min(grant.qos(), PropertyMapping.qosOf(m));
        boolean retain = grant.retainAsPublished() && PropertyMapping.retainOf(m); // [MQTT-3.3.1-12, MQTT-3.3.1-13]
        DeliverySource settleIn = d.autoAck() ? null : d.source();
        return send(topic, qos, retain, d.redelivered(), m.body(), props, settleIn, d.deliveryId())
                ? null : Settlement.ACK;
    }

    /** A retained message sent because of a SUBSCRIBE; its retain flag is always set [MQTT-3.3.1-8]. */
    void sendRetained(String topic, Message m, int grantedQos, int subscriptionId) {
        MqttProperties props = null;
        if (c.v5()) {
            props = PropertyMapping.toProperties(m, System.currentTimeMillis());
            if (props == null) {
                return; // expired
            }
            if (subscriptionId > 0) {
                props.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, subscriptionId));
            }
        }
        send(topic, Math.min(grantedQos, PropertyMapping.qosOf(m)), true, false, m.body(), props, null, 0);
    }

    /** Writes a PUBLISH; returns whether it is in flight (QoS 1/2: the client's acknowledgement settles it). */
    private boolean send(String topic, int qos, boolean retain, boolean dup, byte[] body, MqttProperties props,
                         DeliverySource queue, long deliveryId) {
        String wireTopic = topic;
        Integer newAlias = null;
        if (props != null && aliasMaximum > 0) {
            topicAliases = topicAliases == null ? new HashMap<>() : topicAliases;
            Integer alias = topicAliases.get(topic);
            if (alias != null) {
                wireTopic = "";
            } else if (topicAliases.size() < aliasMaximum) {
                alias = topicAliases.size() + 1;
                newAlias = alias;
            }
            if (alias != null) {
                props.add(new IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
            }
        }
        // The exact encoded size, Remaining Length field included [MQTT-3.1.2-24].
        long size = PacketSize.publish(wireTopic, qos, props, body.length);
        if (size <= c.clientMaxPacket() && newAlias != null) {
            topicAliases.put(topic, newAlias); // an alias is used alone only once the client has seen it
        }
        if (size > c.clientMaxPacket()) {
            // Too big for this client: it never sees it, as if delivered [MQTT-3.1.2-25].
            LOG.debug("dropping a {}-byte PUBLISH for MQTT client '{}' (its maximum is {})", size, c.clientId(),
                    c.clientMaxPacket());
            return false;
        }
        int packetId = -1;
        if (qos > 0) {
            packetId = nextPacketId();
            inFlight().put(packetId, new InFlight(queue, deliveryId, qos));
        }
        c.out.write(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup && qos > 0,
                MqttQoS.valueOf(qos), retain, 0),
                new MqttPublishVariableHeader(wireTopic, packetId, props == null ? MqttProperties.NO_PROPERTIES : props),
                Unpooled.wrappedBuffer(body)));
        return qos > 0;
    }

    private Map<Integer, InFlight> inFlight() {
        return inFlight instanceof HashMap<Integer, InFlight> m ? m : (inFlight = new HashMap<>());
    }

    private int nextPacketId() {
        for (int i = 0; i < 65_535; i++) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
            if (!inFlight.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("no free packet id");
    }

    void puback(int packetId) {
        InFlight f = inFlight.get(packetId);
        if (f == null || f.qos != 1) {
            return; // unknown ids are ignored
        }
        inFlight.remove(packetId);
        f.acknowledged();
        c.drainRetained();
    }

    void pubrec(int packetId, int reason) {
        InFlight f = inFlight.get(packetId);
        if (f == null || f.qos != 2) {
            if (c.v5()) {
                send(MqttMessageType.PUBREL, packetId, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
            }
            return;
        }
        if (ReasonCode.failure(reason)) {
            inFlight.remove(packetId); // the client refused it: done [MQTT-4.4.0-2]
            f.acknowledged();
            return;
        }
        if (f.received) {
            // A repeated PUBREC: answered again, not before the pending release is stored.
            c.server.stored.written(c.session()).whenComplete((v, error) -> c.onLoop(() ->
                    send(MqttMessageType.PUBREL, packetId)));
            return;
        }
        f.received = true;
        MqttSession session = c.session();
        session.addPendingRelease(packetId);
        if (f.queue != null) {
            f.held = true;
            held.incrementAndGet();
        }
        // The PUBREL goes out and the delivery is settled once the pending release is durable (in a cluster, on a
        // majority): a restart or another node resends the PUBREL; a crash or a failed put before, the PUBLISH (DUP).
        c.server.stored.persist(session).whenComplete((v, error) -> {
            if (c.server.stored.qos2().notReplicated(c, error, "PUBREL", packetId)) {
                return;
            }
            if (f.queue != null) {
                f.queue.settle(f.deliveryId, Settlement.ACK);
            }
            c.onLoop(() -> send(MqttMessageType.PUBREL, packetId));
        });
    }

    void pubcomp(int packetId) {
        InFlight f = inFlight.get(packetId);
        if (f == null || !f.received) {
            return;
        }
        inFlight.remove(packetId);
        if (c.session().removePendingRelease(packetId)) {
            c.server.stored.persist(c.session()); // write-behind: a stale id only costs a PUBREL answered with PUBCOMP
        }
        if (f.held) {
            held.decrementAndGet();
            resume();
        } else {
            f.acknowledged();
        }
        c.drainRetained();
    }

    /** Whether one more QoS 1/2 PUBLISH may go out unacknowledged [MQTT-3.3.4-9]. */
    boolean windowHasRoom() {
        long limit = window == null ? windowSize : window.countLimit();
        return inFlight.size() < (limit <= 0 ? 65_535 : Math.min(limit, 65_535));
    }

    /** Whether the in-flight window has room, counting the QoS 2 messages that no longer hold engine credit. */
    boolean windowOpen() {
        int h = held.get();
        if (h == 0 || window == null) {
            return true;
        }
        long limit = window.countLimit();
        return limit <= 0 || window.inUse() + h < limit;
    }

    private void send(MqttMessageType type, int packetId) {
        send(type, packetId, ReasonCode.SUCCESS);
    }

    private void send(MqttMessageType type, int packetId, ReasonCode reason) {
        c.out.write(new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reason.ack(c.v5()), MqttProperties.NO_PROPERTIES)));
    }

    /**
     * The engine ended {@code sink}'s consumer, or never started it (its queue was deleted). A cluster's share group
     * queue deleted under a member that still has the subscription is joined again ({@link ShareRejoin}).
     */
    void lost(QueueSink sink) {
        if (removed(sinks, sink.queueName, sink) != null) {
            removed(consumers, sink.queueName, null);
            ShareRejoin.afterLoss(c, sink.queueName);
        }
    }
}
