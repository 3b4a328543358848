package dev.junction.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The first bytes by which a connection is known to belong to a protocol, when protocols share a port. AMQP
 * 0-9-1 and AMQP 1.0 both open with a protocol header of eight bytes starting with {@code AMQP} (0-9-1 section
 * 4.2.2: {@code AMQP 0 0 9 1}; 1.0 section 2.2: {@code AMQP 0 1 0 0}, or {@code AMQP 3 1 0 0} for SASL), so the
 * broker can hand a connection to the right module after reading at most {@link #MAX_LENGTH} bytes.
 *
 * <p>How the broker picks, on a listener served by more than one module: the first module (in the broker's list)
 * whose header {@link Verdict#MATCH matches} gets the connection; while a module other than the first could still
 * match, the broker waits for more bytes; otherwise the first module serving the listener gets it, and answers an
 * unknown header as its protocol says (AMQP 0-9-1 sends its own header and closes). A listener served by one module
 * has no such step at all.
 */
@FunctionalInterface
public interface ProtocolHeader {
    /** The longest header the broker reads before it decides; every header must be decided by then. */
    int MAX_LENGTH = 8;

    /** What the bytes received so far say. */
    enum Verdict {
        /** They are this protocol's header. */
        MATCH,
        /** They cannot be this protocol's header, whatever follows. */
        NO_MATCH,
        /** They are the start of this protocol's header; more bytes decide. */
        MORE
    }

    /** Claims nothing: the module gets only what no other module on the listener claims. */
    ProtocolHeader NONE = first -> Verdict.NO_MATCH;

    /**
     * Judges the first bytes of a connection. {@code first} holds between one and {@link #MAX_LENGTH} bytes from
     * its reader index, and is a view: the implementation reads it with absolute gets and must not consume it.
     */
    Verdict judge(ByteBuf first);

    /** A header that is exactly {@code bytes} (at most {@link #MAX_LENGTH} of them). */
    static ProtocolHeader of(byte... bytes) {
        if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a protocol header has 1 to " + MAX_LENGTH + " bytes");
        }
        byte[] header = bytes.clone();
        return first -> {
            int start = first.readerIndex();
            int n = Math.min(first.readableBytes(), header.length);
            for (int i = 0; i < n; i++) {
                if (first.getByte(start + i) != header[i]) {
                    return Verdict.NO_MATCH;
                }
            }
            return n == header.length ? Verdict.MATCH : Verdict.MORE;
        };
    }
}
