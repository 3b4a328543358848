package dev.junction.mqtt;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packets that break the protocol, and refusals a client can repeat: each is logged (rate-limited) and, for a
 * violation, the connection ends through {@link MqttConnection#closeWith}, the one way it ends for a reason
 * (MQTT 5 section 4.13, 3.1.1 section 4.8).
 */
final class Violations {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    /** Malformed packets and protocol errors: one line each, rate-limited across connections. */
    static final ViolationLog LINES = new ViolationLog(LOG);

    private final MqttConnection c;

    Violations(MqttConnection c) {
        this.c = c;
    }

    /** A packet the decoder could not read. */
    void decodeFailure(Throwable cause) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            LOG.info("MQTT client {} asked for an unsupported protocol version; refusing", c.remote());
            // The version is unknown, so answer in 3.1.1 form [MQTT-3.1.2-2].
            c.refuse(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION.connack(false));
        } else if (cause instanceof MqttIdentifierRejectedException) {
            LOG.info("MQTT client {} sent an invalid client identifier; refusing", c.remote());
            c.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        } else {
            violation(String.valueOf(cause.getMessage()), cause instanceof TooLongFrameException
                    ? ReasonCode.PACKET_TOO_LARGE : ReasonCode.MALFORMED_PACKET);
        }
    }

    /** A packet broken in a way that ends the connection. */
    void violation(String why, ReasonCode reason) {
        if (reason == ReasonCode.PROTOCOL_ERROR) {
            protocolError(why);
        } else if (reason == ReasonCode.QUOTA_EXCEEDED) {
            warn("MQTT client {} ({}) exceeded a server limit: {}; closing", id(), c.remote(), why);
            c.closeWith(reason, why);
        } else {
            malformed(why, reason);
        }
    }

    /** A malformed packet: MQTT 5 clients past CONNECT get DISCONNECT with the reason first; then close. */
    void malformed(String why, ReasonCode reason) {
        warn("malformed MQTT packet from {} ({}): {}; closing", id(), c.remote(), why);
        c.closeWith(reason, why);
    }

    void protocolError(String why) {
        warn("MQTT protocol error by {} ({}): {}; closing", id(), c.remote(), why);
        c.closeWith(ReasonCode.PROTOCOL_ERROR, why);
    }

    private String id() {
        String id = c.clientId();
        return id == null ? "-" : id;
    }

    /**
     * A protocol violation line: one per source address per interval (the engine's WarningLimiter, shared with
     * AMQP), and never more than ViolationLog lets through in all, whatever the number of addresses.
     */
    void warn(String format, Object... args) {
        c.server.engine.clientWarnings().warn(LINES::warn, c.address(), format, args);
    }

    /**
     * A line about a refusal the client can repeat at will without being disconnected (a denied PUBLISH or
     * filter): at {@code log}'s INFO, at most one per source address per interval (the engine's WarningLimiter).
     */
    void refusal(Logger log, String format, Object... args) {
        c.server.engine.clientWarnings().warn(log::info, c.address(), format, args);
    }
}
