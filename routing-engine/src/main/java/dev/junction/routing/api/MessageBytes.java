package dev.junction.routing.api;

import dev.junction.routing.MessageCodec;

/**
 * The engine's versioned encoding of a {@link Message}, for a protocol that keeps a message inside its own
 * record (an MQTT session's will). The same bytes the store holds for retained and paged messages.
 */
public final class MessageBytes {

    private MessageBytes() {
    }

    public static byte[] encode(Message message) {
        return MessageCodec.encode(message);
    }

    /** @throws RuntimeException when {@code bytes} are not a message in a known version */
    public static Message decode(byte[] bytes) {
        return MessageCodec.decode(bytes);
    }
}
