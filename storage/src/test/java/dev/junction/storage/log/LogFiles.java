package dev.junction.storage.log;

import dev.junction.storage.QueueKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
