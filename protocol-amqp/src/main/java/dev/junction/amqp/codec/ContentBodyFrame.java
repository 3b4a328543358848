package dev.junction.amqp.codec;

/** A content body frame (type 3). The payload is a copy owned by this record. */
public record ContentBodyFrame(int channel, byte[] payload) implements AmqpFrame {
}
