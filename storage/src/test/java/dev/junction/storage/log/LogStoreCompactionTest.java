package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segment compaction: messages that are never consumed no longer pin every newer segment, queues keep their order
 * and contents, and a crash between writing the copies and deleting the old segment loses and duplicates nothing.
 */
class LogStoreCompactionTest {

    private static final QueueKey PINNED = new QueueKey("/", "no-consumer");
    private static final QueueKey Q = new QueueKey("/", "q");
    private static final QueueKey OTHER = new QueueKey("/", "other");
    private static final long SEGMENT = 64 << 10;
    private static final int LAG = 200;
    private static final byte[] FILLER = new byte[500];

    @TempDir
    Path dir;

    private static LogStoreSettings small() {
        return LogStoreSettings.defaults().withSegmentBytes(SEGMENT).withCacheBytes(0).withCompaction(true);
    }

    private LogMessageStore open() {
        return LogMessageStore.open(dir, FsyncPolicy.group(), small());
    }

    @Test
    void oneNeverConsumedMessageNoLongerPinsTheLog() throws Exception {
        diskUseStaysBounded(FsyncPolicy.group());
    }

    @Test
    void compactionUnderFsyncNeverBehavesTheSame() throws Exception {
        diskUseStaysBounded(FsyncPolicy.never());
    }

    private void diskUseStaysBounded(FsyncPolicy policy) throws Exception {
        long maxBytes = 0;
        int maxSegments = 0;
        try (LogMessageStore store = LogMessageStore.open(dir, policy, small())) {
            store.append(new StoredMessage(1, bytes("pinned")), List.of(PINNED)).get(10, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            // 40 000 messages of 500 bytes: about 20 MB through 64 KiB segments, 300 of them without compaction.
            for (long id = 2; id <= 40_001; id++) {
                pending.add(store.append(new StoredMessage(id, FILLER), List.of(Q)));
                if (id - LAG >= 2) {
                    pending.add(store.remove(Q, id - LAG));
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
            // Live data is the pinned message and 200 x 500 bytes; compaction starts at two segments of garbage.
            assertThat(maxSegments).isLessThanOrEqualTo(8);
            assertThat(maxBytes).isLessThan(8 * SEGMENT);
            assertThat(store.compactions()).isGreaterThan(10);
            assertThat(store.compactedBytes()).isPositive();
            assertThat(store.bytesOnDisk()).isEqualTo(bytesInFiles());
            assertThat(segmentFiles()).hasSize(store.segmentCount());
            assertThat(store.read(PINNED, 0, 10)).extracting(m -> text(m.data())).containsExactly("pinned");
            assertThat(store.count(Q)).isEqualTo(LAG);
            assertThat(store.messageCount()).isEqualTo(LAG + 1);
        }
        try (LogMessageStore store = LogMessageStore.open(dir, policy, small())) {
            assertThat(store.read(PINNED, 0, 10)).extracting(m -> text(m.data())).containsExactly("pinned");
            assertThat(store.read(Q, 0, 1000)).extracting(StoredMessage::id)
                    .containsExactlyElementsOf(range(40_001 - LAG + 1, 40_001));
            assertThat(store.messageCount()).isEqualTo(LAG + 1);
            assertThat(store.highestMessageId()).isEqualTo(40_001);
        }
    }

    @Test
    void queueOrderAndContentSurviveCompactionAndReopen() throws Exception {
        // Every 40th message goes to a queue nobody consumes, some of those also to OTHER, which acks them; the
        // rest stream through Q. Some kept messages are acked in the middle. They are copied again and again.
        List<Long> kept = new ArrayList<>();
        ArrayDeque<Long> inQ = new ArrayDeque<>();
        try (LogMessageStore store = open()) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (long id = 1; id <= 20_000; id++) {
                if (id % 40 == 0) {
                    pending.add(store.append(new StoredMessage(id, body(id)), List.of(PINNED, OTHER)));
                    pending.add(store.remove(OTHER, id));
                    kept.add(id);
                } else {
                    pending.add(store.append(new StoredMessage(id, FILLER), List.of(Q)));
                    inQ.add(id);
                    if (inQ.size() > LAG) {
                        pending.add(store.remove(Q, inQ.poll()));
                    }
                }
                if (id % 2000 == 0) {
                    long acked = kept.remove(kept.size() / 2); // an ack in the middle of the pinned queue
                    pending.add(store.remove(PINNED, acked));
                    await(pending);
                }
            }
            await(pending);
            settle(store);
            assertThat(store.compactions()).isPositive();
            assertPinnedQueue(store, kept);
            assertThat(store.count(OTHER)).isZero();
            assertThat(store.read(Q, 0, 1000)).extracting(StoredMessage::id).containsExactlyElementsOf(inQ);
        }
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, kept);
            assertThat(store.count(OTHER)).isZero();
            assertThat(store.queues()).doesNotContain(OTHER);
            assertThat(store.read(Q, 0, 1000)).extracting(StoredMessage::id).containsExactlyElementsOf(inQ);
            assertThat(store.messageCount()).isEqualTo(kept.size() + LAG);
        }
    }

    @Test
    void reopenAfterTheCopiesWereWrittenButBeforeTheOldSegmentWasDeleted() throws Exception {
        Path kept;
        List<Long> pinned = LongStream.rangeClosed(1, 5).boxed().toList();
        try (LogMessageStore store = open()) {
            AtomicReference<Path> vetoed = new AtomicReference<>();
            store.deleteHook(s -> {
                if (s.compacted) {
                    vetoed.compareAndSet(null, s.path); // as if the process died just before deleting it
                    return false;
                }
                return true;
            });
            fillUntil(store, pinned, vetoed::get);
            kept = vetoed.get();
            assertPinnedQueue(store, pinned);
        }
        assertThat(kept).exists();
        assertThat(countRecordsOf(1)).isEqualTo(2); // the original and its copy

        long expectedQ;
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, pinned);
            assertThat(store.count(OTHER)).isZero(); // acked before the copy: not copied, not back
            expectedQ = store.count(Q);
            assertThat(store.read(Q, 0, 10_000)).hasSize((int) expectedQ);
            assertThat(store.messageCount()).isEqualTo(pinned.size() + expectedQ);
            // An ack after the reopen goes to a new segment and wins over both records of message 2.
            store.remove(PINNED, 2).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, List.of(1L, 3L, 4L, 5L));
            assertThat(store.count(Q)).isEqualTo(expectedQ);
            assertThat(store.messageCount()).isEqualTo(4 + expectedQ);
        }
    }

    @Test
    void anAckWrittenAfterTheCopyWinsEvenWhileTheOldSegmentIsStillThere() throws Exception {
        List<Long> pinned = LongStream.rangeClosed(1, 5).boxed().toList();
        try (LogMessageStore store = open()) {
            AtomicBoolean compacted = new AtomicBoolean();
            store.deleteHook(s -> {
                if (s.compacted) {
                    compacted.set(true);
                    return false;
                }
                return true;
            });
            fillUntil(store, pinned, () -> compacted.get() ? dir : null);
            // The copies are durable and the old segment is still on disk: ack two pinned messages now.
            store.remove(PINNED, 1);
            store.remove(PINNED, 4).get(10, TimeUnit.SECONDS);
        }
        assertThat(countRecordsOf(1)).isEqualTo(2);
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, List.of(2L, 3L, 5L));
            assertThat(store.count(OTHER)).isZero();
        }
    }

    @Test
    void anAckAfterACompletedCompactionAppliesAfterReopen() throws Exception {
        List<Long> pinned = LongStream.rangeClosed(1, 5).boxed().toList();
        try (LogMessageStore store = open()) {
            fillUntil(store, pinned, () -> store.compactions() > 0 ? dir : null);
            awaitSegmentDeletion(store, 1);
            assertThat(segmentFiles()).noneMatch(p -> p.getFileName().toString().equals(Segment.fileName(1)));
            store.remove(PINNED, 3).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, List.of(1L, 2L, 4L, 5L));
            // OTHER's ack was in a segment that is gone now: only the copy's queue list keeps it from coming back.
            assertThat(store.count(OTHER)).isZero();
        }
    }

    @Test
    void readersNeverMissAMessageThatCompactionMoves() throws Exception {
        List<Long> pinned = LongStream.rangeClosed(1, 20).boxed().toList();
        try (LogMessageStore store = open()) {
            for (long id : pinned) {
                store.append(new StoredMessage(id, body(id)), List.of(PINNED));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            Map<String, Throwable> failures = new ConcurrentHashMap<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread reader = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            assertPinnedQueue(store, pinned);
                            reads.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.put(Thread.currentThread().getName(), e);
                    }
                }, "reader-" + t);
                reader.start();
                readers.add(reader);
            }
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            long id = 100;
            while (store.compactions() < 20 && id < 200_000 && failures.isEmpty()) {
                id++;
                pending.add(store.append(new StoredMessage(id, FILLER), List.of(Q)));
                pending.add(store.remove(Q, id));
                if (id % 500 == 0) {
                    await(pending);
                }
            }
            await(pending);
            stop.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(failures).isEmpty();
            assertThat(store.compactions()).isGreaterThanOrEqualTo(20);
            assertThat(reads.get()).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {20240611, 4, 12})
    void randomTrafficWithCompactionReopensAndInterruptedDeletionsMatchesAModel(long seed) throws Exception {
        Random random = new Random(seed);
        List<QueueKey> keys = List.of(Q, OTHER, PINNED, new QueueKey("/", "d"), new QueueKey("v", "q"));
        Map<QueueKey, TreeMap<Long, byte[]>> model = new HashMap<>();
        keys.forEach(k -> model.put(k, new TreeMap<>()));
        List<Long> reusable = new ArrayList<>();
        // An id may be appended again only once its removal is written: the store refuses ids it still holds.
        List<Long> freedPending = new ArrayList<>();
        LogStoreSettings settings = small().withSegmentBytes(8192);
        AtomicBoolean keepCompacted = new AtomicBoolean();
        long nextId = 1;
        long compactions = 0;
        for (int round = 0; round < 12; round++) {
            keepCompacted.set(round % 3 == 2); // now and then the process "dies" before deleting a segment
            try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), settings)) {
                assertMatches(store, model);
                store.deleteHook(s -> !(keepCompacted.get() && s.compacted));
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                for (int op = 0; op < 3000; op++) {
                    int kind = random.nextInt(100);
                    if (kind < 45) {
                        long id = !reusable.isEmpty() && random.nextInt(10) == 0
                                ? reusable.remove(random.nextInt(reusable.size())) : nextId++;
                        byte[] body = new byte[20 + random.nextInt(300)];
                        random.nextBytes(body);
                        List<QueueKey> to = new ArrayList<>();
                        // PINNED is never consumed below, except by a rare queue deletion.
                        for (QueueKey k : keys) {
                            if (random.nextInt(k == PINNED ? 40 : 3) == 0) {
                                to.add(k);
                            }
                        }
                        if (to.isEmpty()) {
                            to.add(keys.get(random.nextInt(2)));
                        }
                        pending.add(store.append(new StoredMessage(id, body), to));
                        to.forEach(k -> model.get(k).put(id, body));
                    } else if (kind < 97) {
                        QueueKey k = keys.get(random.nextInt(keys.size()));
                        TreeMap<Long, byte[]> q = model.get(k);
                        if (k != PINNED && !q.isEmpty()) {
                            long id = random.nextInt(4) == 0
                                    ? new ArrayList<>(q.keySet()).get(random.nextInt(q.size())) : q.firstKey();
                            q.remove(id);
                            pending.add(store.remove(k, id));
                            freed(model, id, freedPending);
                        }
                    } else if (kind < 98 && op % 7 == 0) {
                        QueueKey k = keys.get(random.nextInt(keys.size()));
                        List<Long> ids = new ArrayList<>(model.get(k).keySet());
                        model.get(k).clear();
                        pending.add(store.removeQueue(k));
                        ids.forEach(id -> freed(model, id, freedPending));
                    }
                    if (op % 500 == 0) {
                        await(pending);
                        reusable.addAll(freedPending);
                        freedPending.clear();
                        assertMatches(store, model);
                    }
                }
                await(pending);
                reusable.addAll(freedPending);
                freedPending.clear();
                settle(store);
                assertMatches(store, model);
                compactions += store.compactions();
            }
        }
        assertThat(compactions).isGreaterThan(20);
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), settings)) {
            assertMatches(store, model);
        }
    }

    private static void freed(Map<QueueKey, TreeMap<Long, byte[]>> model, long id, List<Long> reusable) {
        if (model.values().stream().noneMatch(q -> q.containsKey(id))) {
            reusable.add(id);
        }
    }

    private static void assertMatches(LogMessageStore store, Map<QueueKey, TreeMap<Long, byte[]>> model) {
        java.util.Set<Long> bodies = new java.util.HashSet<>();
        model.forEach((k, q) -> {
            List<StoredMessage> all = store.read(k, 0, 1_000_000);
            assertThat(all).extracting(StoredMessage::id).as("ids in %s", k).containsExactlyElementsOf(q.keySet());
            for (StoredMessage m : all) {
                assertThat(m.data()).as("body of %d", m.id()).isEqualTo(q.get(m.id()));
            }
            assertThat(store.count(k)).isEqualTo(q.size());
            bodies.addAll(q.keySet());
        });
        assertThat(store.messageCount()).isEqualTo(bodies.size());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /**
     * Appends the pinned messages (also routed to OTHER, which acks them at once), then streams messages through
     * Q, acking all but the last few, until {@code done} gives a non-null answer.
     */
    private void fillUntil(LogMessageStore store, List<Long> pinned, java.util.function.Supplier<Path> done)
            throws Exception {
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

    private static void assertPinnedQueue(LogMessageStore store, List<Long> ids) {
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

    private void awaitSegmentDeletion(LogMessageStore store, long number) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(dir.resolve(Segment.fileName(number)))) {
            assertThat(System.nanoTime()).as("segment %d was not deleted", number).isLessThan(deadline);
            settle(store);
            Thread.sleep(5);
        }
    }

    /** MESSAGE records for {@code id} in the segment files of the closed store. */
    private long countRecordsOf(long id) throws IOException {
        long n = 0;
        for (Path p : segmentFiles()) {
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

    private static byte[] body(long id) {
        return bytes("body of " + id + " " + "x".repeat((int) (id % 97)));
    }

    private static void await(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        futures.clear();
    }

    /** Waits until the writer has finished what follows the last completed group (a no-op completes later). */
    private static void settle(LogMessageStore store) throws Exception {
        store.remove(new QueueKey("/", "settle"), 1).get(10, TimeUnit.SECONDS);
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private long bytesInFiles() throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches(".*\\.(seg|log)")).toList()) {
                total += Files.size(p);
            }
        }
        return total;
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
