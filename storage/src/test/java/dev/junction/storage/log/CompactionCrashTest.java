package dev.junction.storage.log;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static dev.junction.storage.log.LogFiles.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A crash between writing compaction's copies and deleting the old segment loses and duplicates nothing, and an
 * ack written after a copy wins over both records of the message.
 */
class CompactionCrashTest extends CompactionFixture {

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
            assertThat(segmentFiles(dir)).noneMatch(p -> p.getFileName().toString().equals(Segment.fileName(1)));
            store.remove(PINNED, 3).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open()) {
            assertPinnedQueue(store, List.of(1L, 2L, 4L, 5L));
            // OTHER's ack was in a segment that is gone now: only the copy's queue list keeps it from coming back.
            assertThat(store.count(OTHER)).isZero();
        }
    }
}
