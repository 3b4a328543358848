package dev.junction.storage.log;

/**
 * Tuning of a {@link LogMessageStore} beyond its {@link FsyncPolicy}; the defaults suit production.
 *
 * @param segmentBytes     a segment is closed and a new one started once the next record would take it past
 *                         this size (a single larger record gets a segment of its own)
 * @param cacheBytes       how many bytes of recently written message records stay on the heap so that reads
 *                         of fresh messages skip the disk (0 disables the cache; records waiting to be written
 *                         are always held)
 * @param metaCompactBytes the metadata log (definitions, retained messages, sessions) is rewritten once it is
 *                         larger than this and more than twice the size of its live entries
 * @param compaction       whether segment compaction runs: live messages that pin the oldest segment are written
 *                         again at the head of the log so that it can be deleted (see docs/storage.md)
 */
public record LogStoreSettings(long segmentBytes, long cacheBytes, long metaCompactBytes, boolean compaction) {

    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final long DEFAULT_CACHE_BYTES = 16L << 20;
    public static final long DEFAULT_META_COMPACT_BYTES = 4L << 20;

    public LogStoreSettings {
        if (segmentBytes < 4096 || segmentBytes > (1L << 30)) {
            throw new IllegalArgumentException("segmentBytes must be between 4 KiB and 1 GiB: " + segmentBytes);
        }
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes must not be negative: " + cacheBytes);
        }
        if (metaCompactBytes < 4096) {
            throw new IllegalArgumentException("metaCompactBytes must be at least 4 KiB: " + metaCompactBytes);
        }
    }

    public static final boolean DEFAULT_COMPACTION = true;

    public static LogStoreSettings defaults() {
        return new LogStoreSettings(DEFAULT_SEGMENT_BYTES, DEFAULT_CACHE_BYTES, DEFAULT_META_COMPACT_BYTES,
                DEFAULT_COMPACTION);
    }

    public LogStoreSettings withSegmentBytes(long bytes) {
        return new LogStoreSettings(bytes, cacheBytes, metaCompactBytes, compaction);
    }

    public LogStoreSettings withCacheBytes(long bytes) {
        return new LogStoreSettings(segmentBytes, bytes, metaCompactBytes, compaction);
    }

    public LogStoreSettings withMetaCompactBytes(long bytes) {
        return new LogStoreSettings(segmentBytes, cacheBytes, bytes, compaction);
    }

    public LogStoreSettings withCompaction(boolean on) {
        return new LogStoreSettings(segmentBytes, cacheBytes, metaCompactBytes, on);
    }
}
