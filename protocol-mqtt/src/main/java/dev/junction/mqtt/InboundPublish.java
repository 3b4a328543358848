package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.TopicIndex;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISH from the client: topic aliases, ACL, routing, and acknowledgements. PUBACK and PUBREC go out only once
 * the engine confirmed the message (routed and, if persistent in durable queues, stored), and in the order the
 * PUBLISH packets arrived (the order [MQTT-4.6.0-2] asks of a client, kept by the server too). QoS 2 is
 * exactly-once by packet id: a PUBLISH whose id already got a PUBREC is answered again but not routed again
 * [MQTT-4.3.3-10]. For a session that may outlive its connection the id is written to the session's stored
 * record before the PUBREC goes out, and its removal before the PUBCOMP, so the exactly-once holds across a broker
 * restart; in a cluster, also to the cluster's copy of the ids ({@link SharedQos2Ids}), committed by a majority, so it
 * holds when the session resumes on another node.
 */
final class InboundPublish {
    private static final Logger LOG = LoggerFactory.getLogger(InboundPublish.class);

    private final MqttConnection c;
    /** Made with the first alias (MQTT 5): an idle device's connection holds no empty map. */
    private Map<Integer, String> aliases;
    /** Acknowledgements owed in arrival order; made with the first QoS 1/2 PUBLISH (an idle device sends none). */
    private ArrayDeque<PendingAck> acks;
    /**
     * MQTT 5: QoS 2 packet ids answered on this connection with a successful PUBREC and still waiting for PUBREL.
     * They count against the Receive Maximum until the PUBCOMP [MQTT-3.3.4-7]; ids left from an earlier connection
     * of the session do not (the quota starts afresh with each connection, section 4.9).
     */
    private Set<Integer> awaitingRelease;
    /** MQTT 3.1/3.1.1 only, made with the first QoS 1/2 PUBLISH: the read brake standing in for a Receive Maximum. */
    private InboundBrake brake;
    /** The vhost write permission's last answer, made with the first PUBLISH (a device that only listens has none). */
    private Access.PublishPermit permit;
    /**
     * The last topic name that passed the topic name rules, and its routing key. A device publishes to one topic or a
     * few, again and again: the checks and the key are made once, and every message routed carries the same two
     * strings instead of two copies of its own (it may sit in a queue for a while).
     */
    private String lastTopic;
    private String lastRoutingKey;

    private static final class PendingAck {
        final int packetId;
        final int qos;
        boolean done;
        ReasonCode reason = ReasonCode.SUCCESS;

        PendingAck(int packetId, int qos) {
            this.packetId = packetId;
            this.qos = qos;
        }
    }

    InboundPublish(MqttConnection c) {
        this.c = c;
    }

    void publish(MqttPublishMessage m) {
        MqttFixedHeader fh = m.fixedHeader();
        int qos = fh.qosLevel().value();
        int packetId = m.variableHeader().packetId();
        String topic = m.variableHeader().topicName();
        MqttProperties props = c.v5() ? m.variableHeader().properties() : MqttProperties.NO_PROPERTIES;
        if (c.v5()) {
            if (!PropertyMapping.validPayloadFormat(props)) {
                // Only 0 and 1 are defined (MQTT 5 section 3.3.2.3.2); the packet parses, so this is data the
                // protocol does not allow: a Protocol Error (MQTT 5 section 1.2), the connection is closed (4.13).
                c.violations.protocolError("PUBLISH with a Payload Format Indicator other than 0 or 1");
                return;
            }
            MqttProperties.MqttProperty<?> alias = props.getProperty(MqttProperties.TOPIC_ALIAS);
            if (alias != null) {
                int a = (Integer) alias.value();
                if (a == 0 || a > c.server.config.topicAliasMaximum()) {
                    c.violations.warn("MQTT client '{}' used topic alias {} (maximum {})", c.clientId(), a,
                            c.server.config.topicAliasMaximum());
                    c.closeWith(ReasonCode.TOPIC_ALIAS_INVALID); // [MQTT-3.3.2-8, MQTT-3.3.2-12]
                    return;
                }
                if (topic == null || topic.isEmpty()) {
                    topic = aliases == null ? null : aliases.get(a);
                    if (topic == null) {
                        c.violations.protocolError("unknown topic alias " + a);
                        return;
                    }
                } else {
                    if (aliases == null) {
                        aliases = new HashMap<>();
                    }
                    aliases.put(a, topic);
                }
            }
        }
        if (topic != null && topic.equals(lastTopic)) {
            topic = lastTopic;
        } else {
            try {
                TopicIndex.checkMqttTopic(topic == null ? "" : topic);
            } catch (IllegalArgumentException e) {
                c.violations.warn("MQTT client '{}' published to an invalid topic: {}", c.clientId(), e.getMessage());
                c.closeWith(ReasonCode.TOPIC_NAME_INVALID);
                return;
            }
            lastTopic = topic;
            lastRoutingKey = TopicMapping.toRoutingKey(topic);
        }
        if (qos == 2 && pending(packetId)) {
            return; // a resend of a message whose PUBREC is on its way
        }
        if (qos == 2 && c.session().hasInboundQos2(packetId)) {
            // A resend of a message already taken [MQTT-4.3.3-10]: answered again (in order, and not before the
            // record holding the id is durable), not routed again.
            PendingAck ack = new PendingAck(packetId, qos);
            owe(ack);
            c.server.stored.written(c.session()).whenComplete((v, error) -> c.onLoop(() -> {
                ack.done = true;
                flushAcks();
            }));
            return;
        }
        // Unacknowledged means: no PUBACK, no PUBCOMP and no failing PUBREC sent yet (section 3.3.4); one more is a
        // DISCONNECT 0x93 Receive Maximum exceeded. MQTT 3.1.1 has no Receive Maximum: there the socket stops being
        // read instead (InboundBrake).
        int releases = awaitingRelease == null ? 0 : awaitingRelease.size();
        if (qos > 0 && c.v5() && unanswered() + releases >= c.server.config.receiveMaximum()) {
            c.violations.warn("MQTT client '{}' exceeded the Receive Maximum of {}", c.clientId(),
                    c.server.config.receiveMaximum());
            c.closeWith(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED); // [MQTT-3.3.4-7]
            return;
        }
        byte[] body = new byte[m.payload().readableBytes()];
        m.payload().getBytes(m.payload().readerIndex(), body);
        ReasonCode refusal = refusal(topic, props, body);
        if (refusal == null && c.v5() && fh.isRetain() && !c.server.retained.accepts(topic, body.length)) {
            // A new retained topic past the vhost's retained limits: MQTT 5 PUBACK/PUBREC 0x97 Quota exceeded
            // (section 3.4.2.1), and the message is not routed either. 3.1.1 has no negative acknowledgement:
            // there the message is routed without being retained (MqttServer.publish).
            refusal = ReasonCode.QUOTA_EXCEEDED;
        }
        if (refusal != null) {
            if (qos > 0) {
                // 3.1.1 has no negative acknowledgement: the message is dropped and acknowledged as usual.
                PendingAck ack = new PendingAck(packetId, qos);
                ack.done = true;
                ack.reason = c.v5() ? refusal : ReasonCode.SUCCESS;
                owe(ack);
                flushAcks();
            }
            return;
        }
        Message msg = PropertyMapping.fromPublish(c.server.config.exchange(), topic, lastRoutingKey, qos, fh.isRetain(),
                props, body, c.clientId(), c.user().name(), System.currentTimeMillis());
        PublishResult result;
        try {
            result = c.server.publish(topic, fh.isRetain(), msg, qos > 0);
        } catch (BrokerException e) {
            c.server.engine.clientWarnings().warn(LOG, c.address(), "MQTT publish by '{}' to '{}' failed: {}",
                    c.clientId(), topic, e.getMessage());
            result = new PublishResult(0, CompletableFuture.completedFuture(false));
        }
        c.reading.published(result);
        if (qos == 0) {
            return;
        }
        PendingAck ack = new PendingAck(packetId, qos);
        owe(ack);
        boolean routed = result.routed();
        MqttSession session = c.session();
        result.confirmed().whenComplete((ok, error) -> c.onLoop(() -> {
            ack.reason = error != null || !Boolean.TRUE.equals(ok) ? ReasonCode.UNSPECIFIED_ERROR
                    : routed ? ReasonCode.SUCCESS : ReasonCode.NO_MATCHING_SUBSCRIBERS;
            if (ack.reason.failure() && routed && !c.v5()) {
                // Routed but not taken (a quorum queue without a majority, a failed store write): a 3.1.1 PUBACK/PUBREC has no
                // reason code and would say the server took ownership [MQTT-4.3.2-2, MQTT-4.3.3-2]. Closed instead;
                // the client sends the message again after reconnecting [MQTT-4.4.0-1].
                c.server.engine.clientWarnings().warn(LOG, c.address(), "MQTT QoS {} publish by '{}' was not "
                        + "confirmed; closing the connection", qos, c.clientId());
                c.closeWith(ReasonCode.UNSPECIFIED_ERROR);
                return;
            }
            if (qos == 2 && !ack.reason.failure()) {
                // The id is remembered (and stored) before the PUBREC: a resend after a restart is not routed again.
                session.addInboundQos2(packetId);
                c.server.stored.persist(session).whenComplete((v, storeError) -> c.onLoop(() -> {
                    if (storeError != null) {
                        // Not stored: a PUBREC now would promise exactly-once across a restart that the broker
                        // cannot keep. Refused visibly (MQTT 5 DISCONNECT 0x80, 3.1.1 close); the client sends
                        // the message again after reconnecting [MQTT-4.4.0-1].
                        LOG.warn("the QoS 2 packet id {} of MQTT client '{}' was not stored ({}); closing",
                                packetId, c.clientId(), storeError.toString());
                        c.closeWith(ReasonCode.UNSPECIFIED_ERROR);
                        return;
                    }
                    ack.done = true;
                    flushAcks();
                }));
                return;
            }
            ack.done = true;
            flushAcks();
        }));
    }

    /** Null when the message may be routed, else the MQTT 5 reason code of the refusal. */
    private ReasonCode refusal(String topic, MqttProperties props, byte[] body) {
        // Topics beginning with '$' are the server's [MQTT-4.7.2-1]: refused like any unauthorized publish. MQTT 5
        // answers 0x87 Not authorized in the PUBACK/PUBREC (section 3.4.2.1); 3.1.1 has no way to say so and
        // acknowledges as usual without routing [MQTT-3.3.5-2]. Nothing is retained either.
        if (!c.topics.mayPublish(topic)
                || !c.server.access.permitsPublish(c.user(), permit())) {
            c.violations.refusal(LOG, "MQTT client '{}' (user '{}') may not publish to '{}': {}", c.clientId(),
                    c.user().name(), topic, c.topics.publishDenial(topic));
            return ReasonCode.NOT_AUTHORIZED;
        }
        if (body.length > c.server.settings.maxMessageSize()) {
            c.violations.refusal(LOG, "MQTT client '{}' published {} bytes, over the maximum message size", c.clientId(), body.length);
            return ReasonCode.QUOTA_EXCEEDED;
        }
        MqttProperties.MqttProperty<?> pfi = props.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        if (pfi != null && (Integer) pfi.value() == 1 && PropertyMapping.utf8(body) == null) {
            c.violations.refusal(LOG, "MQTT client '{}' sent a payload marked UTF-8 that is not [MQTT-3.3.2-4]", c.clientId());
            return ReasonCode.PAYLOAD_FORMAT_INVALID;
        }
        return null;
    }

    private Access.PublishPermit permit() {
        if (permit == null) {
            permit = new Access.PublishPermit();
        }
        return permit;
    }

    private void owe(PendingAck ack) {
        if (acks == null) {
            acks = new ArrayDeque<>(2); // grows with a publisher's window
        }
        acks.add(ack);
        if (!c.v5()) {
            if (brake == null) {
                brake = new InboundBrake(c, c.server.config.receiveMaximum());
            }
            brake.owed(acks.size());
        }
    }

    private int unanswered() {
        return acks == null ? 0 : acks.size();
    }

    private boolean pending(int packetId) {
        for (PendingAck a : acks == null ? List.<PendingAck>of() : acks) {
            if (a.packetId == packetId) {
                return true;
            }
        }
        return false;
    }

    private void flushAcks() {
        while (acks != null && !acks.isEmpty() && acks.peek().done) {
            PendingAck a = acks.poll();
            if (a.qos == 1) {
                send(MqttMessageType.PUBACK, a.packetId, a.reason);
            } else {
                if (c.v5() && !a.reason.failure()) {
                    if (awaitingRelease == null) {
                        awaitingRelease = new HashSet<>();
                    }
                    awaitingRelease.add(a.packetId);
                }
                send(MqttMessageType.PUBREC, a.packetId, a.reason);
            }
        }
        if (brake != null) {
            brake.answered(unanswered());
        }
    }

    void pubrel(int packetId) {
        if (awaitingRelease != null) {
            awaitingRelease.remove(packetId);
        }
        if (!c.session().removeInboundQos2(packetId)) {
            send(MqttMessageType.PUBCOMP, packetId, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
            return;
        }
        // PUBCOMP only once the id is gone from the stored record: the client may reuse the id right after, and a
        // stale stored id would make a restarted broker take the new message for a resend.
        c.server.stored.persist(c.session()).whenComplete((v, error) -> c.onLoop(() -> {
            // The id may still be in a cluster's copy: a PUBCOMP would let the client reuse it, and another node
            // would take the new message for a resend and drop it.
            if (c.server.stored.qos2().notReplicated(c, error, "PUBCOMP", packetId)) {
                return;
            }
            send(MqttMessageType.PUBCOMP, packetId, ReasonCode.SUCCESS);
        }));
    }

    private void send(MqttMessageType type, int packetId, ReasonCode reason) {
        c.out.write(new MqttMessage(new MqttFixedHeader(type, false,
                type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reason.ack(c.v5()), MqttProperties.NO_PROPERTIES)));
    }
}
