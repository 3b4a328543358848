package dev.junction.storage.log;

import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static dev.junction.storage.log.LogFiles.await;
import static dev.junction.storage.log.LogFiles.settle;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages that compaction writes again keep their queues' order and content, across reopens and for readers
 * that read while the messages move.
 */
class CompactionOrderTest extends CompactionFixture {

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
}
