package dev.junction.mqtt;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttProperties.StringPair;
import io.netty.handler.codec.mqtt.MqttProperties.UserProperties;

/**
 * Exact encoded sizes of the packets the server sends, as the codec writes them, so that a packet over the client's
 * Maximum Packet Size is never sent [MQTT-3.1.2-24] and one that fits is never held back: fixed header byte,
 * Remaining Length as a Variable Byte Integer of 1 to 4 bytes (MQTT 5 section 1.5.5), then the rest.
 */
final class PacketSize {
    private PacketSize() {
    }

    /** A whole packet whose Remaining Length is {@code remaining}. */
    static long packet(long remaining) {
        return 1 + variableByteInteger(remaining) + remaining;
    }

    /** PUBLISH: topic, packet identifier when QoS > 0, properties ({@code null} before MQTT 5), payload. */
    static long publish(String topic, int qos, MqttProperties props, int payloadLength) {
        long remaining = 2L + utf8(topic) + (qos > 0 ? 2 : 0) + propertySection(props) + payloadLength;
        return packet(remaining);
    }

    /** CONNACK: flags, reason code and (MQTT 5) properties. */
    static long connack(MqttProperties props) {
        return packet(2L + propertySection(props));
    }

    /** DISCONNECT: reason code and properties (MQTT 5 only). */
    static long disconnect(MqttProperties props) {
        return packet(1L + propertySection(props));
    }

    /** The property section: its length as a Variable Byte Integer, then the properties; 0 before MQTT 5. */
    static long propertySection(MqttProperties props) {
        if (props == null) {
            return 0;
        }
        long n = properties(props);
        return variableByteInteger(n) + n;
    }

    /** The properties without their length prefix; every identifier fits one byte. */
    static long properties(MqttProperties props) {
        long n = 0;
        for (MqttProperty<?> p : props.listAll()) {
            if (p instanceof UserProperties u) {
                for (StringPair pair : u.value()) {
                    n += 1 + 2 + utf8(pair.key) + 2 + utf8(pair.value);
                }
                continue;
            }
            n += 1 + switch (p.propertyId()) {
                case MqttProperties.PAYLOAD_FORMAT_INDICATOR, MqttProperties.REQUEST_PROBLEM_INFORMATION,
                        MqttProperties.REQUEST_RESPONSE_INFORMATION, MqttProperties.MAXIMUM_QOS,
                        MqttProperties.RETAIN_AVAILABLE, MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE,
                        MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                        MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE -> 1;
                case MqttProperties.SERVER_KEEP_ALIVE, MqttProperties.RECEIVE_MAXIMUM,
                        MqttProperties.TOPIC_ALIAS_MAXIMUM, MqttProperties.TOPIC_ALIAS -> 2;
                case MqttProperties.PUBLICATION_EXPIRY_INTERVAL, MqttProperties.SESSION_EXPIRY_INTERVAL,
                        MqttProperties.WILL_DELAY_INTERVAL, MqttProperties.MAXIMUM_PACKET_SIZE -> 4;
                case MqttProperties.SUBSCRIPTION_IDENTIFIER ->
                        variableByteInteger(Integer.toUnsignedLong((Integer) p.value()));
                default -> p.value() instanceof byte[] b ? 2 + b.length : 2 + utf8((String) p.value());
            };
        }
        return n;
    }

    static int variableByteInteger(long value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /** UTF-8 length as the codec writes it (an unpaired surrogate becomes one '?'). */
    static int utf8(String s) {
        return s == null ? 0 : ByteBufUtil.utf8Bytes(s);
    }
}
