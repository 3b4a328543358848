package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/** The DISCONNECT an MQTT 5 server sends before it closes a connection for a reason [MQTT-4.13.1-1]. */
final class DisconnectPacket {
    /** Longest Reason String sent: it is for a person reading a client's log, not a transcript of the packet. */
    static final int MAX_REASON_CHARS = 256;

    private DisconnectPacket() {
    }

    /**
     * DISCONNECT with {@code reason}, and {@code why} as its Reason String (MQTT 5 section 3.14.2.2.3) unless it is
     * null or would make the packet larger than the client's Maximum Packet Size [MQTT-3.14.2-3]. Never a Session
     * Expiry Interval: the server must not send one [MQTT-3.14.2-2].
     */
    static MqttMessage of(ReasonCode reason, String why, long clientMaxPacket) {
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (why != null && !why.isEmpty()) {
            String text = why.length() > MAX_REASON_CHARS ? why.substring(0, MAX_REASON_CHARS) : why;
            MqttProperties withText = new MqttProperties();
            withText.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, text));
            if (PacketSize.disconnect(withText) <= clientMaxPacket) {
                props = withText;
            }
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader(reason.value(), props));
    }
}
