package dev.junction.storage.time;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One time bucket's file: entries of 16 bytes (due time, message id; big-endian longs) back to back, with no header.
 * New entries are appended in the order they come; the first {@link #sort} puts the file in (due, id) order, after
 * which {@link #readAfter} finds a position by binary search instead of reading the whole file.
 */
final class BucketFile {
    static final int ENTRY_BYTES = 16;
    /** Packing a due time's offset in its bucket (16 bits) above an id (47 bits) keeps the sort on primitives. */
    private static final int ID_BITS = 47;
    private static final long ID_MASK = (1L << ID_BITS) - 1;

    private BucketFile() {
    }

    /** Appends {@code entries} (already encoded) to {@code file}, creating it if needed. */
    static void append(Path file, ByteBuffer entries) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (entries.hasRemaining()) {
                ch.write(entries);
            }
        }
    }

    /** Every entry of {@code file} as pairs {@code [due, id, ...]}, in file order; a torn last entry is left out. */
    static long[] readAll(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int n = (int) (ch.size() / ENTRY_BYTES);
            ByteBuffer buf = ByteBuffer.allocate(n * ENTRY_BYTES);
            readFully(ch, buf, 0);
            buf.flip();
            long[] pairs = new long[2 * n];
            buf.asLongBuffer().get(pairs);
            return pairs;
        }
    }

    /**
     * Rewrites {@code file} in (due, id) order, through a temporary file renamed over it, so a crash leaves either
     * the old or the new file whole. {@code bucketStart} is the least due time the bucket can hold. Returns the
     * number of entries, all now in order.
     */
    static int sort(Path file, long bucketStart) throws IOException {
        long[] pairs = readAll(file);
        sortPairs(pairs, bucketStart);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ByteBuffer buf = ByteBuffer.allocate(pairs.length * Long.BYTES);
        buf.asLongBuffer().put(pairs);
        Files.deleteIfExists(tmp);
        append(tmp, buf);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return pairs.length / 2;
    }

    /** The number of whole entries in {@code file}. */
    static long entries(Path file) throws IOException {
        return Files.size(file) / ENTRY_BYTES;
    }

    /** Entries {@code from} (inclusive) to {@code to} (exclusive) of {@code file}, as pairs, in file order. */
    static long[] readRange(Path file, long from, long to) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) (to - from) * ENTRY_BYTES);
            readFully(ch, buf, from * ENTRY_BYTES);
            buf.flip();
            long[] pairs = new long[(int) (to - from) * 2];
            buf.asLongBuffer().get(pairs);
            return pairs;
        }
    }

    /**
     * Sorts pairs by due time, then id. Packed into one long each when every offset in the bucket fits 16 bits and
     * every id 47 (ids count messages, so 2<sup>47</sup> is years of traffic); else by a comparator.
     */
    static void sortPairs(long[] pairs, long bucketStart) {
        int n = pairs.length / 2;
        boolean packable = true;
        for (int i = 0; i < n && packable; i++) {
            long offset = pairs[2 * i] - bucketStart;
            packable = offset >= 0 && offset < (1L << (63 - ID_BITS)) && (pairs[2 * i + 1] & ~ID_MASK) == 0;
        }
        if (packable) {
            long[] packed = new long[n];
            for (int i = 0; i < n; i++) {
                packed[i] = (pairs[2 * i] - bucketStart) << ID_BITS | pairs[2 * i + 1];
            }
            Arrays.sort(packed);
            for (int i = 0; i < n; i++) {
                pairs[2 * i] = bucketStart + (packed[i] >>> ID_BITS);
                pairs[2 * i + 1] = packed[i] & ID_MASK;
            }
            return;
        }
        long[][] boxed = new long[n][];
        for (int i = 0; i < n; i++) {
            boxed[i] = new long[] {pairs[2 * i], pairs[2 * i + 1]};
        }
        Arrays.sort(boxed, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int i = 0; i < n; i++) {
            pairs[2 * i] = boxed[i][0];
            pairs[2 * i + 1] = boxed[i][1];
        }
    }

    /**
     * Up to {@code max} of the first {@code sorted} entries of {@code file}, which are in order, after
     * ({@code afterDue}, {@code afterId}), as pairs: a binary search of 16-byte reads, then one read of the entries
     * wanted.
     */
    static long[] readAfter(Path file, long sorted, long afterDue, long afterId, int max) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long n = sorted;
            ByteBuffer one = ByteBuffer.allocate(ENTRY_BYTES);
            long lo = 0;
            long hi = n;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                one.clear();
                readFully(ch, one, mid * ENTRY_BYTES);
                long due = one.getLong(0);
                long id = one.getLong(8);
                if (due < afterDue || (due == afterDue && id <= afterId)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int count = (int) Math.min(max, n - lo);
            ByteBuffer buf = ByteBuffer.allocate(count * ENTRY_BYTES);
            readFully(ch, buf, lo * ENTRY_BYTES);
            long[] pairs = new long[2 * count];
            buf.flip();
            buf.asLongBuffer().get(pairs);
            return pairs;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, at);
            if (r < 0) {
                throw new IOException("time index file ends early: " + ch);
            }
            at += r;
        }
    }
}
