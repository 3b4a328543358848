package dev.junction.amqp.codec;

import dev.junction.routing.api.MessageProperties;

/** A content header frame (type 2): the body size and the basic properties of the content that follows. */
public record ContentHeaderFrame(int channel, int classId, long bodySize, MessageProperties properties)
        implements AmqpFrame {
}
