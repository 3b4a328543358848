package dev.junction.amqp10;

import java.nio.BufferOverflowException;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.codec.DecodeException;
import org.apache.qpid.proton.message.Message;

/** AMQP 1.0 messages and body sections to and from bytes, with proton-j's codec. */
final class Encoding {
    private static final int FIRST_GUESS = 1024;

    private Encoding() {
    }

    /** The encoded message: its sections in order [AMQP 1.0 part 3 section 3.2], as a transfer carries them. */
    static byte[] message(Message m, int sizeHint) {
        int size = Math.max(FIRST_GUESS, sizeHint + 512);
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int n = m.encode(buffer, 0, buffer.length);
                return n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n);
            } catch (BufferOverflowException e) {
                size = size * 2;
            }
        }
    }

    /** One body section alone, encoded: how an amqp-value or amqp-sequence body is kept in the engine. */
    static byte[] section(Section body) {
        Message m = Message.Factory.create();
        m.setBody(body);
        return message(m, 0);
    }

    /** The body section {@link #section} encoded, or null when the bytes are no single body section. */
    static Section decodeSection(byte[] bytes) {
        try {
            Message m = Message.Factory.create();
            m.decode(bytes, 0, bytes.length);
            return m.getBody();
        } catch (DecodeException | IllegalArgumentException | IllegalStateException
                 | java.nio.BufferUnderflowException e) {
            return null;
        }
    }

    /** A received transfer's bytes as a message; a {@link Refusal} with {@code amqp:decode-error} otherwise. */
    static Message decode(byte[] bytes, int length) {
        try {
            Message m = Message.Factory.create();
            m.decode(bytes, 0, length);
            return m;
        } catch (RuntimeException e) {
            throw Refusal.link(Condition.DECODE_ERROR, "malformed message: " + e.getMessage());
        }
    }
}
