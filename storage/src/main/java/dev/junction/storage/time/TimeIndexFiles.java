package dev.junction.storage.time;

import dev.junction.storage.QueueKey;
import dev.junction.storage.TimeIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link TimeIndex} in files: one file per time bucket of {@link #BUCKET_MILLIS} (about a minute) of due times,
 * named by the bucket's first millisecond, holding that bucket's entries (see {@link BucketFile}). Entries are
 * appended as they come, so a publish costs a 16-byte append; the first time {@link #next} reaches a bucket it
 * sorts the bucket's file once, and from then on a read of the next entries is a binary search, plus a sort in the
 * heap of what was appended since (a long tail has the file sorted again). A bucket is deleted whole once the
 * holder has released past its end, so released entries cost no write at all.
 *
 * <h2>Heap</h2>
 * The bucket map (one entry per bucket that has a file) and what {@link #add} noted since the last {@link #flush}.
 * Sorting a bucket reads it into the heap for the sort: 16 bytes per entry of that one bucket, briefly; a tail
 * sorted in the heap is at most {@link #TAIL_IN_MEMORY} entries.
 *
 * <h2>Crashes</h2>
 * Nothing here is forced to disk: the message store is the record (see {@link TimeIndex}). A rewrite goes through a
 * temporary file renamed over the old one, so a crash leaves either whole; {@code *.tmp} files are deleted at open.
 */
public final class TimeIndexFiles implements TimeIndex {
    /** 2<sup>16</sup> ms: an entry's offset in its bucket fits 16 bits, which the sort packs (see BucketFile). */
    public static final long BUCKET_MILLIS = 1L << 16;
    private static final String SUFFIX = ".tidx";
    /** Entries appended to a sorted bucket that a read sorts in the heap rather than rewriting the file. */
    static final int TAIL_IN_MEMORY = 1 << 16;

    private final Path dir;
    /** Bucket start → how many leading entries of its file are in order (the rest were appended since). */
    private final TreeMap<Long, Long> buckets = new TreeMap<>();
    /** Bucket start → entries noted and not yet written. */
    private final Map<Long, ByteBuffer> unwritten = new HashMap<>();

    private TimeIndexFiles(Path dir) {
        this.dir = dir;
    }

    /** {@code holder}'s index under {@code root}, in a directory of its own (see {@link #directoryName}). */
    public static TimeIndexFiles open(Path root, QueueKey holder) {
        return open(root.resolve(directoryName(holder)));
    }

    /** The index in {@code dir}, created on the first write; a torn rewrite left by a crash is deleted. */
    public static TimeIndexFiles open(Path dir) {
        TimeIndexFiles index = new TimeIndexFiles(dir);
        if (!Files.isDirectory(dir)) {
            return index;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(SUFFIX)) {
                    index.buckets.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), 0L);
                } else if (name.endsWith(".tmp")) {
                    Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the time index in " + dir, e);
        }
        return index;
    }

    /**
     * The directory name of {@code holder}'s index: a hash of its vhost and name (SHA-256, hex), since either may
     * hold any character and be 255 bytes long.
     */
    public static String directoryName(QueueKey holder) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(holder.vhost().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(holder.name().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static long bucketOf(long dueAt) {
        return Math.floorDiv(dueAt, BUCKET_MILLIS) * BUCKET_MILLIS;
    }

    private Path file(long bucket) {
        return dir.resolve(bucket + SUFFIX);
    }

    @Override
    public void add(long dueAt, long id) {
        long bucket = bucketOf(dueAt);
        ByteBuffer buf = unwritten.get(bucket);
        if (buf == null || !buf.hasRemaining()) {
            ByteBuffer grown = ByteBuffer.allocate(buf == null ? 64 * BucketFile.ENTRY_BYTES : buf.capacity() * 2);
            if (buf != null) {
                grown.put(buf.flip());
            }
            unwritten.put(bucket, buf = grown);
        }
        buf.putLong(dueAt).putLong(id);
    }

    @Override
    public void flush() {
        if (unwritten.isEmpty()) {
            return;
        }
        try {
            Files.createDirectories(dir);
            for (Iterator<Map.Entry<Long, ByteBuffer>> it = unwritten.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, ByteBuffer> e = it.next();
                // A copy to write from: after a failure the buffer is whole for the next flush (an entry written
                // twice is read once, see next).
                BucketFile.append(file(e.getKey()), e.getValue().duplicate().flip());
                buckets.putIfAbsent(e.getKey(), 0L);
                it.remove(); // written: a failure further on leaves only the rest for the next flush
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the time index in " + dir, e);
        }
    }

    @Override
    public long[] next(long afterDue, long afterId, int max) {
        flush();
        long[] out = new long[0];
        Iterator<Map.Entry<Long, Long>> it = buckets.tailMap(bucketOf(afterDue), true).entrySet().iterator();
        while (it.hasNext() && out.length < 2 * max) {
            Map.Entry<Long, Long> b = it.next();
            try {
                long[] got = nextOf(b, afterDue, afterId, max - out.length / 2);
                long[] grown = Arrays.copyOf(out, out.length + got.length);
                System.arraycopy(got, 0, grown, out.length, got.length);
                out = grown;
            } catch (NoSuchFileException gone) {
                it.remove();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the time index in " + dir, e);
            }
        }
        return out;
    }

    /**
     * Up to {@code max} entries of one bucket after the given one. The bucket's file is an ordered part followed
     * by entries appended since: a tail of up to {@link #TAIL_IN_MEMORY} entries is read and sorted in the heap
     * and merged with what the binary search finds in the ordered part; a longer one (or a file never sorted) has
     * the whole file sorted once, so a busy bucket costs a bounded read per call however long it is.
     */
    private long[] nextOf(Map.Entry<Long, Long> bucket, long afterDue, long afterId, int max) throws IOException {
        Path f = file(bucket.getKey());
        long total = BucketFile.entries(f);
        long sorted = bucket.getValue();
        if (total - sorted > TAIL_IN_MEMORY || (sorted == 0 && total > 0)) {
            sorted = BucketFile.sort(f, bucket.getKey());
            bucket.setValue(sorted);
        }
        long[] ordered = BucketFile.readAfter(f, sorted, afterDue, afterId, max);
        if (total == sorted) {
            return ordered;
        }
        long[] tail = BucketFile.readRange(f, sorted, total);
        BucketFile.sortPairs(tail, bucket.getKey());
        return merge(ordered, tail, afterDue, afterId, max);
    }

    /** The first {@code max} distinct entries of two ordered lists of pairs, those of {@code b} after the given. */
    private static long[] merge(long[] a, long[] b, long afterDue, long afterId, int max) {
        long[] out = new long[2 * max];
        int n = 0;
        int i = 0;
        int j = 0;
        while (j < b.length && !after(b[j], b[j + 1], afterDue, afterId)) {
            j += 2;
        }
        while (n < out.length && (i < a.length || j < b.length)) {
            boolean fromA = j >= b.length || (i < a.length && !after(a[i], a[i + 1], b[j], b[j + 1]));
            long due = fromA ? a[i] : b[j];
            long id = fromA ? a[i + 1] : b[j + 1];
            if (fromA) {
                i += 2;
            } else {
                j += 2;
            }
            if (n == 0 || after(due, id, out[n - 2], out[n - 1])) { // an entry written twice is read once
                out[n++] = due;
                out[n++] = id;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean after(long due, long id, long thanDue, long thanId) {
        return due > thanDue || (due == thanDue && id > thanId);
    }

    @Override
    public void releasedBefore(long dueAt) {
        long lastWhole = dueAt - BUCKET_MILLIS; // a bucket starting here or earlier ends before dueAt
        unwritten.keySet().removeIf(bucket -> bucket <= lastWhole);
        Iterator<Long> it = buckets.headMap(lastWhole, true).keySet().iterator();
        while (it.hasNext()) {
            delete(file(it.next()));
            it.remove();
        }
    }

    @Override
    public long[] ids() {
        flush();
        long[] ids = new long[0];
        int n = 0;
        for (long bucket : buckets.keySet()) {
            try {
                long[] pairs = BucketFile.readAll(file(bucket));
                if (n + pairs.length / 2 > ids.length) {
                    ids = Arrays.copyOf(ids, Math.max(n + pairs.length / 2, ids.length * 2));
                }
                for (int i = 1; i < pairs.length; i += 2) {
                    ids[n++] = pairs[i];
                }
            } catch (NoSuchFileException gone) {
                // deleted under us: nothing to report
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the time index in " + dir, e);
            }
        }
        return Arrays.copyOf(ids, n);
    }

    @Override
    public void clear() {
        unwritten.clear();
        buckets.keySet().forEach(bucket -> delete(file(bucket)));
        buckets.clear();
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A leftover file keeps the directory; an open finds no bucket in it.
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }
}
