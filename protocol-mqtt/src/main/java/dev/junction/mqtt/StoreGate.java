package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttMessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a connection may not take while the message store cannot write (disk full). */
final class StoreGate {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);

    private StoreGate() {
    }

    /**
     * An acknowledgement (or a stored session's SUBSCRIBE/UNSUBSCRIBE) while the store cannot write (disk full): it
     * would be taken in memory and only reach the disk later, or never if the broker stops first. It is refused
     * visibly instead: MQTT 5 DISCONNECT Unspecified error, 3.1.1 close; the session keeps the message, which is
     * sent again after reconnecting.
     */
    static boolean refuses(MqttConnection c, MqttMessageType type) {
        boolean ack = type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC
                || type == MqttMessageType.PUBREL || type == MqttMessageType.PUBCOMP
                // a stored session's subscriptions are part of its record
                || c.session() != null && c.session().durable
                && (type == MqttMessageType.SUBSCRIBE || type == MqttMessageType.UNSUBSCRIBE);
        if (!ack || c.server.engine.storeWritable()) {
            return false;
        }
        LOG.warn("MQTT client {} ({}) sent {} while the store cannot write; closing", c.clientId(), c.remote(), type);
        c.closeWith(ReasonCode.UNSPECIFIED_ERROR);
        return true;
    }
}
