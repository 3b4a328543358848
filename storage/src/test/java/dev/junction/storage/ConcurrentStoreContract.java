package dev.junction.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static dev.junction.storage.ContractSupport.await;
import static dev.junction.storage.ContractSupport.message;
import static dev.junction.storage.ContractSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several threads appending and removing at once lose no message and leave no body behind. Part of
 * {@link MessageStoreContract}.
 */
public interface ConcurrentStoreContract {

    /** The store under test. */
    MessageStore store();

    /** Fails unless the store holds {@code expected} message bodies, when the implementation can tell. */
    void assertBodyCount(long expected);

    @Test
    default void concurrentAppendsFromSeveralThreadsKeepEveryMessage() throws Exception {
        int threads = 4;
        int perThread = 500;
        QueueKey shared = new QueueKey("/", "shared");
        AtomicLong ids = new AtomicLong();
        runConcurrently(threads, t -> {
            QueueKey own = new QueueKey("/", "own-" + t);
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                futures.add(store().append(message(ids.incrementAndGet()), List.of(shared, own)));
            }
            futures.forEach(ContractSupport::await);
        });

        long total = (long) threads * perThread;
        assertThat(store().count(shared)).isEqualTo(total);
        assertThat(readAll(store(), shared))
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        for (int t = 0; t < threads; t++) {
            assertThat(store().count(new QueueKey("/", "own-" + t))).isEqualTo(perThread);
        }
        assertThat(store().highestMessageId()).isEqualTo(total);
        assertBodyCount(total);
    }

    @Test
    default void concurrentRemovalsOfFannedOutMessagesDropEveryBody() throws Exception {
        int threads = 4;
        int messages = 500;
        List<QueueKey> queues = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            queues.add(new QueueKey("/", "fan-" + t));
        }
        for (long id = 1; id <= messages; id++) {
            await(store().append(message(id), queues));
        }
        runConcurrently(threads, t -> {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long id = 1; id <= messages; id++) {
                futures.add(store().remove(queues.get(t), id));
            }
            futures.forEach(ContractSupport::await);
        });

        assertThat(store().queues()).isEmpty();
        queues.forEach(q -> assertThat(store().count(q)).isZero());
        assertBodyCount(0);
        assertThat(store().highestMessageId()).isEqualTo(messages);
    }

    /** What one of the threads of {@link #runConcurrently} does. */
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads released together, and rethrows the first failure. */
    private static void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(ContractSupport.TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
