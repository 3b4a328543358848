package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers for the log store's tests: waiting for the writer, and what its directory holds. */
final class LogFiles {

    private LogFiles() {
    }

    /** Waits for every future (30 s at most), then empties the list. */
    static void await(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        futures.clear();
    }

    /**
     * Waits until the writer has also finished the housekeeping (segment deletion, compaction) that follows the
     * last completed group: a no-op change completes only in a later group.
     */
    static void settle(LogMessageStore store) throws Exception {
        store.remove(new QueueKey("/", "settle"), 1).get(10, TimeUnit.SECONDS);
    }

    /** The segment files in {@code dir}, oldest first. */
    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    /** Bytes of the segment files and the metadata log in {@code dir}. */
    static long bytesInFiles(Path dir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches(".*\\.(seg|log)")).toList()) {
                total += Files.size(p);
            }
        }
        return total;
    }

    /** The most bytes and segment files a store held while {@link #streamThrough} ran. */
    record DiskUse(long maxBytes, int maxSegments) {
    }

    /**
     * Appends messages {@code fromId} to {@code toId} to {@code queues}, each queue removing every message
     * {@code lag} ids after it arrived, and measures disk use every 1000 ids once the writer has settled. Ends
     * with everything durable and settled.
     */
    static DiskUse streamThrough(LogMessageStore store, long fromId, long toId, int lag, List<QueueKey> queues,
                                 byte[] body) throws Exception {
        long maxBytes = 0;
        int maxSegments = 0;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long id = fromId; id <= toId; id++) {
            pending.add(store.append(new StoredMessage(id, body), queues));
            if (id - lag >= fromId) {
                for (QueueKey q : queues) {
                    pending.add(store.remove(q, id - lag));
                }
            }
            if (id % 1000 == 0) {
                await(pending);
                settle(store);
                maxBytes = Math.max(maxBytes, store.bytesOnDisk());
                maxSegments = Math.max(maxSegments, store.segmentCount());
            }
        }
        await(pending);
        settle(store);
        return new DiskUse(maxBytes, maxSegments);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
