package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker stops its queue pool while mailboxes may still hold work: a mailbox whose next drain the stopping pool
 * refuses must stop quietly, not throw into the pool thread (an uncaught exception logged per queue at shutdown);
 * a task submitted after that is refused to its submitter, never silently dropped.
 */
class SerialExecutorShutdownTest {
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(1, r -> {
        Thread t = new Thread(r, "test-queue");
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        return t;
    });

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aMailboxLongerThanOneBatchStopsQuietlyWhenThePoolShutsDownUnderIt() throws Exception {
        SerialExecutor mailbox = SerialExecutor.batching(pool, "queue");
        int[] ran = new int[1];
        CountDownLatch queued = new CountDownLatch(1);
        mailbox.execute(() -> {
            ran[0]++;
            awaitQuietly(queued); // the whole backlog is in the mailbox before the pool stops under it
            pool.shutdown(); // the broker stopping while this mailbox is more than one batch long
        });
        for (int i = 0; i < 2_000; i++) {
            mailbox.execute(() -> ran[0]++);
        }
        queued.countDown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(uncaught).isEmpty();
        assertThat(ran[0]).isLessThan(2_001); // the rest went with the pool, as it would with the process
        assertThatThrownBy(() -> mailbox.execute(() -> ran[0]++)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aTaskSubmittedToAMailboxOfAStoppedPoolIsRefusedToItsSubmitterEveryTime() {
        SerialExecutor mailbox = new SerialExecutor(pool, "queue");
        pool.shutdown();
        assertThatThrownBy(() -> mailbox.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> mailbox.executeUrgent(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
