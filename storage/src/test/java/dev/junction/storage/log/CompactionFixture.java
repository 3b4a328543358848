package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static dev.junction.storage.log.LogFiles.await;
import static dev.junction.storage.log.LogFiles.bytes;
import static dev.junction.storage.log.LogFiles.settle;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the compaction tests share: small segments with compaction on, a queue nobody consumes ({@link #PINNED}),
 * a streaming queue ({@link #Q}) and helpers that drive traffic until compaction has happened.
 */
abstract class CompactionFixture {

    static final QueueKey PINNED = new QueueKey("/", "no-consumer");
    static final QueueKey Q = new QueueKey("/", "q");
    static final QueueKey OTHER = new QueueKey("/", "other");
    static final long SEGMENT = 64 << 10;
    static final int LAG = 200;
    static final byte[] FILLER = new byte[500];

    @TempDir
    Path dir;

    static LogStoreSettings small() {
        return LogStoreSettings.defaults().withSegmentBytes(SEGMENT).withCacheBytes(0).withCompaction(true);
    }

    LogMessageStore open() {
        return LogMessageStore.open(dir, FsyncPolicy.group(), small());
    }

    /**
     * Appends the pinned messages (also routed to OTHER, which acks them at once), then streams messages through
     * Q, acking all but the last few, until {@code done} gives a non-null answer.
     */
    void fillUntil(LogMessageStore store, List<Long> pinned, Supplier<Path> done) throws Exception {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long id : pinned) {
            pending.add(store.append(new StoredMessage(id, body(id)), List.of(PINNED, OTHER)));
            pending.add(store.remove(OTHER, id));
        }
        long id = 100;
        while (done.get() == null) {
            assertThat(id).as("compaction did not happen").isLessThan(100_000);
            id++;
            pending.add(store.append(new StoredMessage(id, FILLER), List.of(Q)));
            if (id > 110) {
                pending.add(store.remove(Q, id - 10));
            }
            if (id % 100 == 0) {
                await(pending);
                settle(store);
            }
        }
        await(pending);
    }

    static void assertPinnedQueue(LogMessageStore store, List<Long> ids) {
        List<StoredMessage> all = store.read(PINNED, 0, 100_000);
        assertThat(all).extracting(StoredMessage::id).containsExactlyElementsOf(ids);
        for (StoredMessage m : all) {
            assertThat(m.data()).isEqualTo(body(m.id()));
        }
        assertThat(store.count(PINNED)).isEqualTo(ids.size());
        // Paging from the middle finds the same order.
        if (ids.size() > 2) {
            assertThat(store.read(PINNED, ids.get(1), 2)).extracting(StoredMessage::id)
                    .containsExactlyElementsOf(ids.subList(2, Math.min(4, ids.size())));
        }
    }

    void awaitSegmentDeletion(LogMessageStore store, long number) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(dir.resolve(Segment.fileName(number)))) {
            assertThat(System.nanoTime()).as("segment %d was not deleted", number).isLessThan(deadline);
            settle(store);
            Thread.sleep(5);
        }
    }

    /** MESSAGE records for {@code id} in the segment files of the closed store. */
    long countRecordsOf(long id) throws IOException {
        long n = 0;
        for (Path p : LogFiles.segmentFiles(dir)) {
            long[] found = {0};
            LogScanner.scan(p, (type, payload, offset) -> {
                if (type == Records.MESSAGE && payload.getLong(0) == id) {
                    found[0]++;
                }
            });
            n += found[0];
        }
        return n;
    }

    static byte[] body(long id) {
        return bytes("body of " + id + " " + "x".repeat((int) (id % 97)));
    }

    static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
