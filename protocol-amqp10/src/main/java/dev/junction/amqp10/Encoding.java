package dev.junction.amqp10;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.codec.DecodeException;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/** AMQP 1.0 messages and body sections to and from bytes, with proton-j's codec. */
final class Encoding {
    private static final int FIRST_GUESS = 1024;
    /**
     * The largest message encoded in a thread's reused array ({@link #send}); larger ones get an array of their
     * own, which proton then takes without a copy.
     */
    private static final int SCRATCH_MAX = 64 * 1024;
    /** Per event-loop thread: the array outgoing messages are encoded into before proton copies them. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[FIRST_GUESS * 4]);

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

    /**
     * Encodes {@code m} as the payload of {@code sender}'s current delivery. A message that fits in
     * {@value #SCRATCH_MAX} bytes is encoded into this thread's reused array, which proton copies into the delivery:
     * one allocation of the exact size and one copy. A larger one is encoded into an array of its own that proton
     * keeps as it is. (Encoding into a fresh array sized by a guess, trimming it to a second, and letting proton
     * copy that a third time cost two allocations and two copies of every message.)
     */
    static void send(Sender sender, Message m, int sizeHint) {
        if (sizeHint + 512 <= SCRATCH_MAX) {
            byte[] scratch = SCRATCH.get();
            while (true) {
                try {
                    int n = m.encode(scratch, 0, scratch.length);
                    sender.send(scratch, 0, n);
                    return;
                } catch (BufferOverflowException e) {
                    if (scratch.length >= SCRATCH_MAX) {
                        break;
                    }
                    scratch = new byte[Math.min(SCRATCH_MAX, scratch.length * 2)];
                    SCRATCH.set(scratch);
                }
            }
        }
        int size = Math.max(FIRST_GUESS, sizeHint + 512);
        while (true) {
            byte[] buffer = new byte[size];
            try {
                int n = m.encode(buffer, 0, buffer.length);
                sender.sendNoCopy(ReadableBuffer.ByteBufferReader.wrap(ByteBuffer.wrap(buffer, 0, n)));
                return;
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

    /**
     * A received transfer's payload as a message, read from proton's own buffer of the delivery (not copied out
     * first); a {@link Refusal} with {@code amqp:decode-error} otherwise.
     */
    static Message decode(ReadableBuffer payload) {
        try {
            Message m = Message.Factory.create();
            m.decode(payload);
            return m;
        } catch (RuntimeException e) {
            throw Refusal.link(Condition.DECODE_ERROR, "malformed message: " + e.getMessage());
        }
    }
}
