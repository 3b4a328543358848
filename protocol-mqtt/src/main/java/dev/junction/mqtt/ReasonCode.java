package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

import static io.netty.handler.codec.mqtt.MqttConnectReturnCode.*;

/**
 * The MQTT 5 reason codes this server sends or reads (MQTT 5 section 2.4), with their names from the specification's
 * tables, and how each one is said to an MQTT 3.1.1 client, which knows only CONNACK return codes and the SUBACK
 * failure 0x80 (3.1.1 sections 3.2.2.3 and 3.9.3). Codes below 0x80 report success, 0x80 and above a failure
 * (MQTT 5 section 2.4).
 *
 * <p>For closing a connection: Malformed Packet is data that cannot be parsed as the packet it claims to be;
 * Protocol Error is a packet that parsed but carries data the specification does not allow, or that does not fit
 * the state; Quota exceeded is a valid packet over a limit of this server's own ("An implementation or
 * administrative imposed limit has been exceeded", MQTT 5 section 3.14.2.1).
 */
enum ReasonCode {
    SUCCESS(0x00, "Success"),
    DISCONNECT_WITH_WILL(0x04, "Disconnect with Will Message"),
    NO_MATCHING_SUBSCRIBERS(0x10, "No matching subscribers"),
    NO_SUBSCRIPTION_EXISTED(0x11, "No subscription existed"),
    CONTINUE_AUTHENTICATION(0x18, "Continue authentication"),
    RE_AUTHENTICATE(0x19, "Re-authenticate"),
    UNSPECIFIED_ERROR(0x80, "Unspecified error"),
    MALFORMED_PACKET(0x81, "Malformed Packet", CONNECTION_REFUSED_MALFORMED_PACKET, null),
    PROTOCOL_ERROR(0x82, "Protocol Error", CONNECTION_REFUSED_PROTOCOL_ERROR, null),
    IMPLEMENTATION_SPECIFIC_ERROR(0x83, "Implementation specific error", CONNECTION_REFUSED_IMPLEMENTATION_SPECIFIC,
            CONNECTION_REFUSED_SERVER_UNAVAILABLE),
    UNSUPPORTED_PROTOCOL_VERSION(0x84, "Unsupported Protocol Version",
            CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION, CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION),
    CLIENT_IDENTIFIER_NOT_VALID(0x85, "Client Identifier not valid", CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
            CONNECTION_REFUSED_IDENTIFIER_REJECTED),
    BAD_USER_NAME_OR_PASSWORD(0x86, "Bad User Name or Password", CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
            CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD),
    NOT_AUTHORIZED(0x87, "Not authorized", CONNECTION_REFUSED_NOT_AUTHORIZED_5, CONNECTION_REFUSED_NOT_AUTHORIZED),
    SERVER_UNAVAILABLE(0x88, "Server unavailable", CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
            CONNECTION_REFUSED_SERVER_UNAVAILABLE),
    /** Only an MQTT 5 CONNECT can name an authentication method; 3.1.1 would hear Not authorized. */
    BAD_AUTHENTICATION_METHOD(0x8C, "Bad authentication method", CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
            CONNECTION_REFUSED_NOT_AUTHORIZED),
    /** The broker is stopping: said to MQTT 5 clients before their sockets close (issue 13, shutdown goodbye). */
    SERVER_SHUTTING_DOWN(0x8B, "Server shutting down"),
    KEEP_ALIVE_TIMEOUT(0x8D, "Keep Alive timeout"),
    SESSION_TAKEN_OVER(0x8E, "Session taken over"),
    TOPIC_FILTER_INVALID(0x8F, "Topic Filter invalid"),
    TOPIC_NAME_INVALID(0x90, "Topic Name invalid"),
    PACKET_IDENTIFIER_NOT_FOUND(0x92, "Packet Identifier not found"),
    RECEIVE_MAXIMUM_EXCEEDED(0x93, "Receive Maximum exceeded"),
    TOPIC_ALIAS_INVALID(0x94, "Topic Alias invalid"),
    PACKET_TOO_LARGE(0x95, "Packet too large", CONNECTION_REFUSED_PACKET_TOO_LARGE, null),
    /**
     * A limit of this server's own. MQTT 3.1.1 has no such CONNACK code: "Server unavailable" tells the client to
     * try later rather than that its credentials are wrong.
     */
    QUOTA_EXCEEDED(0x97, "Quota exceeded", CONNECTION_REFUSED_QUOTA_EXCEEDED, CONNECTION_REFUSED_SERVER_UNAVAILABLE),
    ADMINISTRATIVE_ACTION(0x98, "Administrative action"),
    PAYLOAD_FORMAT_INVALID(0x99, "Payload format invalid"),
    MAXIMUM_CONNECT_TIME(0xA0, "Maximum connect time");

    /** The SUBACK return code "Failure" of MQTT 3.1.1, its only way to refuse a filter [MQTT-3.9.3-2]. */
    static final int SUBACK_FAILURE_3_1_1 = 0x80;

    private final int code;
    private final String text;
    private final MqttConnectReturnCode connack5;
    private final MqttConnectReturnCode connack311;

    ReasonCode(int code, String text) {
        this(code, text, null, null);
    }

    ReasonCode(int code, String text, MqttConnectReturnCode connack5, MqttConnectReturnCode connack311) {
        this.code = code;
        this.text = text;
        this.connack5 = connack5;
        this.connack311 = connack311;
    }

    /** The code's byte value. */
    int code() {
        return code;
    }

    byte value() {
        return (byte) code;
    }

    /** The code's name in the specification's tables, for logs and the MQTT 5 Reason String. */
    String text() {
        return text;
    }

    /** Whether this code reports a failure: 0x80 and above (MQTT 5 section 2.4). */
    boolean failure() {
        return code >= 0x80;
    }

    /**
     * The same reason as a CONNACK refusal to a client of {@code v5}, for a CONNECT that is refused this way
     * [MQTT-3.2.2-8]; null when that version closes such a CONNECT without a CONNACK (3.1.1 has return codes 1 to 5
     * only, 3.1.1 section 3.2.2.3).
     */
    MqttConnectReturnCode connack(boolean v5) {
        return v5 ? connack5 : connack311;
    }

    /**
     * This code in a SUBACK to a client of {@code v5}: itself on MQTT 5, and on MQTT 3.1.1 the granted QoS as is or,
     * for any failure, 0x80 [MQTT-3.9.3-2].
     */
    int subAck(boolean v5) {
        return v5 || !failure() ? code : SUBACK_FAILURE_3_1_1;
    }

    /** This code in a PUBACK, PUBREC, PUBREL or PUBCOMP: MQTT 3.1.1 acknowledgements carry no reason (0). */
    byte ack(boolean v5) {
        return v5 ? (byte) code : 0;
    }

    /** Whether a code a client sent reports a failure, whether or not this server knows it (section 2.4). */
    static boolean failure(int code) {
        return (code & 0xFF) >= 0x80;
    }

    /** The reason with this byte value, or null for a code this server does not know. */
    static ReasonCode of(int code) {
        for (ReasonCode r : values()) {
            if (r.code == (code & 0xFF)) {
                return r;
            }
        }
        return null;
    }
}
