package dev.junction.amqp.codec;

/** One inbound unit produced by {@link AmqpFrameDecoder}. */
public sealed interface AmqpFrame
        permits ProtocolHeaderOk, MethodFrame, ContentHeaderFrame, ContentBodyFrame, HeartbeatFrame {
}
