package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * The client's DISCONNECT: whether the will still goes out and, on MQTT 5, the session's new expiry interval.
 */
final class ClientDisconnect {
    private ClientDisconnect() {
    }

    /**
     * What a DISCONNECT asks: {@code expiry} is the Session Expiry Interval now in force (the connection's, or the
     * one the packet sets, capped by {@code maxExpiry}); null when the packet is a Protocol Error.
     */
    record Outcome(boolean discardWill, long expiry) {
    }

    static Outcome of(MqttMessage m, boolean v5, long currentExpiry, long maxExpiry) {
        int reason = ReasonCode.SUCCESS.code();
        long expiry = currentExpiry;
        if (v5 && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            reason = h.reasonCode() & 0xFF;
            MqttProperties.MqttProperty<?> p = h.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (p != null) {
                long requested = Integer.toUnsignedLong((Integer) p.value());
                if (currentExpiry == 0 && requested != 0) {
                    // A session that ends with the connection cannot be made to outlive it now: a Protocol Error
                    // (MQTT 5 section 3.14.2.2.2; [MQTT-3.14.2-2] is the rule that the server never sends one).
                    return null;
                }
                expiry = Math.min(requested, maxExpiry);
            }
        }
        // 0x04 asks for the will to be sent; anything else from the client discards it [MQTT-3.14.4-3].
        return new Outcome(reason != ReasonCode.DISCONNECT_WITH_WILL.code(), expiry);
    }
}
