package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/**
 * The MQTT 5 reason codes the server closes a connection with (MQTT 5 section 2.4, the DISCONNECT and CONNACK
 * tables). Malformed Packet is data that cannot be parsed as the packet it claims to be; Protocol Error is a
 * packet that parsed but carries data the specification does not allow, or that does not fit the state; Quota
 * exceeded is a valid packet over a limit of this server's own ("An implementation or administrative imposed limit
 * has been exceeded", MQTT 5 section 3.14.2.1).
 */
enum DisconnectReason {
    MALFORMED_PACKET(0x81, MqttConnectReturnCode.CONNECTION_REFUSED_MALFORMED_PACKET),
    PROTOCOL_ERROR(0x82, MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR),
    PACKET_TOO_LARGE(0x95, MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE),
    QUOTA_EXCEEDED(0x97, MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED);

    private final int code;
    private final MqttConnectReturnCode connack;

    DisconnectReason(int code, MqttConnectReturnCode connack) {
        this.code = code;
        this.connack = connack;
    }

    int code() {
        return code;
    }

    /** The same reason as a CONNACK refusal, for a CONNECT that is refused this way. */
    MqttConnectReturnCode connack() {
        return connack;
    }

    /** The reason with this code, or null. */
    static DisconnectReason of(int code) {
        for (DisconnectReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
