package dev.junction.mqtt;

import dev.junction.config.UserConfig;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * What a CONNECT established, as {@link ConnectFlow} accepted it: the client id (assigned when the client sent none
 * [MQTT-3.1.3-6]), the protocol version, the authenticated user, the Session Expiry Interval granted (capped by
 * {@code mqtt.max_session_expiry}), the will (null when none), the client's Maximum Packet Size
 * [MQTT-3.1.2-24] and the keep alive in force. The connection keeps it unchanged for its life; what may change later
 * (a DISCONNECT's new expiry interval, a discarded will) the connection keeps beside it.
 */
record ClientSession(String clientId, MqttVersion version, UserConfig user, long sessionExpiry, Will will,
                     long clientMaxPacket, int keepAliveSeconds) {

    boolean v5() {
        return version == MqttVersion.MQTT_5;
    }
}
