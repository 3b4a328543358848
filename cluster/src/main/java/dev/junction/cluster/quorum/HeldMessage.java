package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A quorum queue's message as its replicas hold it: its id, its engine encoding, the number of times it was
 * returned, its body's size as length limits count it, its publish time (epoch milliseconds, 0: not known) and when
 * its own {@code expiration} makes it expire (epoch milliseconds, -1: never; {@link MessageExpiry}), fixed when its
 * enqueue was applied.
 */
record HeldMessage(long id, byte[] body, int returns, long size, long publishedAt, long expiresAt) {

    HeldMessage returned() {
        return new HeldMessage(id, body, returns + 1, size, publishedAt, expiresAt);
    }

    /**
     * When it expires under {@code limits}: the earlier of x-message-ttl from its publish time and its own
     * expiration, as RabbitMQ applies both ("Time-To-Live and Expiration": "the lower value between the two will
     * be chosen"); -1 when neither applies.
     */
    long expiresAt(QueueLimits limits) {
        long byQueue = limits.expiresAt(publishedAt);
        if (byQueue < 0 || expiresAt < 0) {
            return Math.max(byQueue, expiresAt);
        }
        return Math.min(byQueue, expiresAt);
    }

    /** Whether it has expired under {@code limits} at {@code now} (the log's clock). */
    boolean expired(QueueLimits limits, long now) {
        long at = expiresAt(limits);
        return at >= 0 && now >= at;
    }

    /** Writes it; {@code read} with the same flags reads it back. */
    void write(DataOutputStream out) throws IOException {
        out.writeLong(id);
        out.writeInt(returns);
        out.writeInt(body.length);
        out.write(body);
        out.writeLong(size);
        out.writeLong(publishedAt);
        out.writeLong(expiresAt);
    }

    /**
     * Reads a message; {@code withLimits} false for a snapshot taken before messages carried sizes and times (the
     * size its encoding's, no publish time), {@code withExpiries} false for one taken before they carried their own
     * expiry (none: such a snapshot was written by a version that did not apply it either).
     */
    static HeldMessage read(DataInputStream in, boolean withLimits, boolean withExpiries) throws IOException {
        long id = in.readLong();
        int returns = in.readInt();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        if (!withLimits) {
            return new HeldMessage(id, body, returns, body.length, 0, -1);
        }
        long size = in.readLong();
        long publishedAt = in.readLong();
        return new HeldMessage(id, body, returns, size, publishedAt, withExpiries ? in.readLong() : -1);
    }
}
