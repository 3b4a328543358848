package dev.junction.bench.fleet;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every fleet message carries in its first 16 bytes: a sequence number and the time it was meant to be sent,
 * in microseconds since the epoch. The wall clock rather than {@code System.nanoTime}, so a publisher and a consumer
 * in different processes on the same machine can still subtract. The rest of the payload is filler.
 *
 * <p>The time is when the pacer <em>meant</em> to send, not when the send call ran: a load generator that falls
 * behind then shows as latency instead of hiding it (no coordinated omission).
 */
final class Stamp {
    static final int HEADER = 16;

    private Stamp() {
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A payload of {@code size} bytes (at least {@link #HEADER}) stamped with {@code seq} and {@code micros}. */
    static byte[] payload(long seq, long micros, int size) {
        byte[] p = new byte[Math.max(HEADER, size)];
        ByteBuffer.wrap(p).putLong(seq).putLong(micros);
        for (int i = HEADER; i < p.length; i++) {
            p[i] = (byte) ('a' + (i % 26));
        }
        return p;
    }

    /** A size drawn uniformly from {@code [min, max]}. */
    static int size(int min, int max) {
        return min + ThreadLocalRandom.current().nextInt(max - min + 1);
    }

    static long seq(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(0);
    }

    static long micros(byte[] payload) {
        return ByteBuffer.wrap(payload).getLong(8);
    }
}
