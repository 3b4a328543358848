package dev.junction.amqp.codec;

/**
 * A heartbeat frame (type 8). The spec requires channel 0; the decoder reports the channel as received and
 * leaves that check to the connection (RabbitMQ answers a heartbeat on another channel with 505).
 */
public record HeartbeatFrame(int channel) implements AmqpFrame {
}
