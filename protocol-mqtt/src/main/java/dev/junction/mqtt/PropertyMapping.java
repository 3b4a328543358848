package dev.junction.mqtt;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.BinaryProperty;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.StringProperty;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * MQTT PUBLISH (topic, QoS, retain, MQTT 5 properties) to the engine's {@link Message} and back. The table is in
 * docs/interop.md; the headers named here are the ones the adapter owns and never shows as user properties.
 */
final class PropertyMapping {
    static final String TOPIC = "x-mqtt-topic";
    static final String RETAIN = "x-mqtt-retain";
    static final String CLIENT_ID = "x-mqtt-client-id";
    static final String QOS = "x-mqtt-qos";
    static final String PAYLOAD_FORMAT = "x-mqtt-payload-format";
    static final String PUBLISHED_AT = "x-mqtt-published-at";
    static final String CORRELATION_BYTES = "x-correlation-id-bytes";

    private PropertyMapping() {
    }

    static Message fromPublish(String exchange, String topic, int qos, boolean retain, MqttProperties props,
                               byte[] body, String clientId, String userName, long now) {
        return fromPublish(exchange, topic, TopicMapping.toRoutingKey(topic), qos, retain, props, body, clientId,
                userName, now);
    }

    /** As above, with the routing key of {@code topic} ({@link TopicMapping#toRoutingKey}) made already. */
    static Message fromPublish(String exchange, String topic, String routingKey, int qos, boolean retain,
                               MqttProperties props, byte[] body, String clientId, String userName, long now) {
        MessageProperties.Builder b = MessageProperties.builder()
                .deliveryMode(qos > 0 ? MessageProperties.PERSISTENT : MessageProperties.TRANSIENT)
                .userId(userName)
                .header(TOPIC, topic)
                .header(QOS, qos)
                .header(CLIENT_ID, clientId);
        if (retain) {
            b.header(RETAIN, true);
        }
        if (props != null && !props.isEmpty()) {
            for (MqttProperty<?> p : props.listAll()) {
                switch (p.propertyId()) {
                    case MqttProperties.CONTENT_TYPE -> b.contentType((String) p.value());
                    case MqttProperties.RESPONSE_TOPIC -> b.replyTo(TopicMapping.toRoutingKey((String) p.value()));
                    case MqttProperties.CORRELATION_DATA -> {
                        byte[] data = (byte[]) p.value();
                        String text = utf8(data);
                        if (text != null) {
                            b.correlationId(text);
                        } else {
                            b.header(CORRELATION_BYTES, data);
                        }
                    }
                    case MqttProperties.PUBLICATION_EXPIRY_INTERVAL -> {
                        long seconds = Integer.toUnsignedLong((Integer) p.value());
                        b.expiration(Long.toString(seconds * 1000)).header(PUBLISHED_AT, now);
                    }
                    case MqttProperties.PAYLOAD_FORMAT_INDICATOR -> {
                        if ((Integer) p.value() == 1) {
                            b.header(PAYLOAD_FORMAT, 1);
                        }
                    }
                    case MqttProperties.USER_PROPERTY -> {
                        @SuppressWarnings("unchecked")
                        List<StringPair> pairs = (List<StringPair>) p.value();
                        // AMQP headers are a table: a repeated user property name keeps its last value.
                        for (StringPair pair : pairs) {
                            if (!pair.key.startsWith("x-mqtt-")) {
                                b.header(pair.key, pair.value);
                            }
                        }
                    }
                    default -> {
                        // Topic alias and subscription identifiers are per-connection; nothing to carry.
                    }
                }
            }
        }
        return new Message(exchange, routingKey, b.build(), body);
    }

    /** The MQTT topic a message is delivered on: the original one, or the routing key swapped back. */
    static String topicOf(Message m) {
        Object t = m.properties().header(TOPIC);
        if (t != null) {
            String topic = t.toString();
            // An AMQP client may republish the properties under another key: the key wins then.
            if (TopicMapping.isTopicOf(topic, m.routingKey())) {
                return topic;
            }
        }
        return TopicMapping.toTopic(m.routingKey());
    }

    /** The QoS a message was published with; AMQP messages count as QoS 1 when persistent, else 0. */
    static int qosOf(Message m) {
        Object q = m.properties().header(QOS);
        if (q instanceof Number n) {
            return Math.max(0, Math.min(2, n.intValue()));
        }
        return m.persistent() ? 1 : 0;
    }

    static boolean retainOf(Message m) {
        return Boolean.TRUE.equals(m.properties().header(RETAIN));
    }

    static String clientIdOf(Message m) {
        Object c = m.properties().header(CLIENT_ID);
        return c == null ? null : c.toString();
    }

    /**
     * Remaining lifetime in seconds, -1 without expiry, 0 when it has expired. The published-at header lets the
     * remaining time be forwarded rather than the original interval [MQTT-3.3.2-6].
     */
    static long remainingSeconds(Message m, long now) {
        String exp = m.properties().expiration();
        if (exp == null) {
            return -1;
        }
        long ttlMs;
        try {
            ttlMs = Long.parseLong(exp);
        } catch (NumberFormatException e) {
            return -1;
        }
        Object at = m.properties().header(PUBLISHED_AT);
        long elapsed = at instanceof Number n ? Math.max(0, now - n.longValue()) : 0;
        long left = ttlMs - elapsed;
        return left <= 0 ? 0 : left / 1000 + (left % 1000 == 0 ? 0 : 1); // rounded up, without overflow
    }

    /** MQTT 5 PUBLISH properties for a delivery, or null when the message expired. */
    static MqttProperties toProperties(Message m, long now) {
        MqttProperties out = new MqttProperties();
        MessageProperties p = m.properties();
        long remaining = remainingSeconds(m, now);
        if (remaining == 0) {
            return null;
        }
        if (remaining > 0) {
            // A Four Byte Integer (MQTT 5 section 3.3.2.3.3): an AMQP expiration may be up to 2^63-1 ms, so the
            // interval is capped at the largest one MQTT can say (about 136 years) instead of wrapping around.
            out.add(new IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL,
                    (int) Math.min(remaining, MAX_EXPIRY_SECONDS)));
        }
        // What MQTT cannot carry is left out rather than sent broken (docs/interop.md, "Values that do not fit").
        if (p.contentType() != null && mqttString(p.contentType())) {
            out.add(new StringProperty(MqttProperties.CONTENT_TYPE, p.contentType()));
        }
        if (p.replyTo() != null && validTopicName(TopicMapping.toTopic(p.replyTo()))) {
            // A Response Topic is a Topic Name: no wildcards, not empty [MQTT-3.3.2-14].
            out.add(new StringProperty(MqttProperties.RESPONSE_TOPIC, TopicMapping.toTopic(p.replyTo())));
        }
        Object bytes = p.header(CORRELATION_BYTES);
        if (bytes instanceof byte[] data) {
            if (data.length <= MAX_MQTT_BYTES) { // Binary Data: two-byte length (MQTT 5 section 1.5.6)
                out.add(new BinaryProperty(MqttProperties.CORRELATION_DATA, data));
            }
        } else if (p.correlationId() != null) {
            out.add(new BinaryProperty(MqttProperties.CORRELATION_DATA,
                    p.correlationId().getBytes(StandardCharsets.UTF_8)));
        }
        if (p.header(PAYLOAD_FORMAT) != null) {
            out.add(new IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        }
        UserProperties user = new UserProperties();
        for (Map.Entry<String, Object> h : p.headers().entrySet()) {
            String k = h.getKey();
            if (k.startsWith("x-mqtt-") || k.equals(CORRELATION_BYTES) || h.getValue() == null) {
                continue;
            }
            Object v = h.getValue();
            String value = v instanceof byte[] raw ? new String(raw, StandardCharsets.UTF_8) : String.valueOf(v);
            if (mqttString(k) && mqttString(value)) {
                user.add(k, value);
            }
        }
        if (!user.value().isEmpty()) {
            out.add(user);
        }
        return out;
    }

    /** The largest Message Expiry Interval: an unsigned Four Byte Integer. */
    static final long MAX_EXPIRY_SECONDS = 0xFFFF_FFFFL;

    /** The most bytes an MQTT UTF-8 string or binary data can hold: its length is a two-byte integer. */
    static final int MAX_MQTT_BYTES = 65_535;

    /**
     * Whether {@code s} can be sent as an MQTT UTF-8 Encoded String: at most 65,535 bytes [MQTT-1.5.4-1] and no
     * U+0000 [MQTT-1.5.4-2]. AMQP longstr header values may be up to 4 GiB and may hold U+0000.
     */
    static boolean mqttString(String s) {
        if (s.length() > MAX_MQTT_BYTES || s.indexOf('\0') >= 0) {
            return false;
        }
        return s.length() * 3 <= MAX_MQTT_BYTES || io.netty.buffer.ByteBufUtil.utf8Bytes(s) <= MAX_MQTT_BYTES;
    }

    /**
     * Whether {@code topic} can be the Topic Name of a PUBLISH: not empty [MQTT-4.7.3-1], no wildcard
     * [MQTT-3.3.2-2], and an MQTT string. An AMQP routing key may be empty or contain {@code #}, {@code +} or
     * U+0000, and an AMQP subscriber's {@code #} binding matches such keys.
     */
    static boolean validTopicName(String topic) {
        return !topic.isEmpty() && topic.indexOf('#') < 0 && topic.indexOf('+') < 0 && mqttString(topic);
    }

    /** The bytes as text when they are well-formed UTF-8, else null. */
    static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Whether a Payload Format Indicator, if present, is one of the two defined values (MQTT 5 section 3.3.2.3.2). */
    static boolean validPayloadFormat(MqttProperties props) {
        MqttProperty<?> pfi = props == null ? null : props.getProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR);
        return pfi == null || ((Integer) pfi.value() & 0xFF) <= 1;
    }
}
