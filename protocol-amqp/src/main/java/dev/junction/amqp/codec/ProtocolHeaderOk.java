package dev.junction.amqp.codec;

/** The client opened with exactly {@code "AMQP" 0 0 9 1}; the server should now send connection.start. */
public record ProtocolHeaderOk() implements AmqpFrame {
}
