package dev.junction.mqtt;

import dev.junction.routing.api.TopicIndex;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttProperty;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.List;

/**
 * What makes a decoded SUBSCRIBE or UNSUBSCRIBE unacceptable as a whole, checked before any of it takes effect; the
 * connection is then closed (MQTT 5: DISCONNECT with the reason first). Per filter refusals that leave the
 * connection open (ACL, share names) are {@link SubscribeFlow}'s.
 */
final class SubscribeRules {
    private SubscribeRules() {
    }

    static PacketShape.Problem check(MqttSubscribeMessage m, boolean v5) {
        if (v5) {
            PacketShape.Problem p = properties(m.idAndPropertiesVariableHeader().properties(), true, "SUBSCRIBE");
            if (p != null) {
                return p;
            }
        }
        List<MqttTopicSubscription> subs = m.payload().topicSubscriptions();
        if (subs.isEmpty()) {
            // MQTT 5: "A SUBSCRIBE packet with no Payload is a Protocol Error" [MQTT-3.8.3-2]; 3.1.1 [MQTT-3.8.3-3].
            return new PacketShape.Problem("SUBSCRIBE without topic filters [MQTT-3.8.3-2 (5.0), MQTT-3.8.3-3 (3.1.1)]",
                    ReasonCode.PROTOCOL_ERROR);
        }
        for (MqttTopicSubscription s : subs) {
            PacketShape.Problem p = filter(s.topicName(), "SUBSCRIBE");
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    static PacketShape.Problem check(MqttUnsubscribeMessage m, boolean v5) {
        if (v5) {
            PacketShape.Problem p = properties(m.idAndPropertiesVariableHeader().properties(), false, "UNSUBSCRIBE");
            if (p != null) {
                return p;
            }
        }
        List<String> filters = m.payload().topics();
        if (filters.isEmpty()) {
            // MQTT 5: "An UNSUBSCRIBE packet with no Payload is a Protocol Error" [MQTT-3.10.3-2].
            return new PacketShape.Problem("UNSUBSCRIBE without topic filters [MQTT-3.10.3-2]",
                    ReasonCode.PROTOCOL_ERROR);
        }
        for (String f : filters) {
            PacketShape.Problem p = filter(f, "UNSUBSCRIBE");
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * SUBSCRIBE may carry a Subscription Identifier and User Properties, UNSUBSCRIBE only User Properties
     * (MQTT 5 sections 3.8.2.1, 3.10.2.1); any other identifier is a Malformed Packet (MQTT 5 section 2.2.2.2).
     */
    private static PacketShape.Problem properties(MqttProperties props, boolean subscribe, String packet) {
        for (MqttProperty<?> p : props.listAll()) {
            int id = p.propertyId();
            if (id != MqttProperties.USER_PROPERTY && !(subscribe && id == MqttProperties.SUBSCRIPTION_IDENTIFIER)) {
                return new PacketShape.Problem(packet + " with property " + id + ", which it may not carry"
                        + " (MQTT 5 section 2.2.2.2)", ReasonCode.MALFORMED_PACKET);
            }
        }
        if (subscribe && props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).size() > 1) {
            return new PacketShape.Problem("SUBSCRIBE with more than one Subscription Identifier (MQTT 5 section"
                    + " 3.8.2.1.2)", ReasonCode.PROTOCOL_ERROR);
        }
        return null;
    }

    /**
     * A filter must be at least one character [MQTT-4.7.3-1], with wildcards only as whole levels and {@code #} last
     * [MQTT-4.7.1-1, MQTT-4.7.1-2 (5.0); MQTT-4.7.1-2, MQTT-4.7.1-3 (3.1.1)]. Of a shared subscription only the
     * filter after the share name is checked here.
     */
    private static PacketShape.Problem filter(String filter, String packet) {
        if (filter == null) {
            return new PacketShape.Problem(packet + " with a topic filter that is not UTF-8",
                    ReasonCode.MALFORMED_PACKET);
        }
        String[] share = TopicMapping.shared(filter);
        String f = share == null ? filter : share[1];
        if (share != null && f.isEmpty()) {
            return null; // the share name is SubscribeFlow's to refuse
        }
        try {
            TopicIndex.checkMqttFilter(f);
            return null;
        } catch (IllegalArgumentException e) {
            return new PacketShape.Problem(packet + " with an invalid topic filter: " + e.getMessage(),
                    ReasonCode.MALFORMED_PACKET);
        }
    }
}
