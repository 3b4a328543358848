package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Only queue mailboxes hold wake-ups for the end of their batch; a lane whose task waits for another still works. */
class SerialExecutorBatchingTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aPlainLaneMayWaitForAnotherLaneAsStartUpCodeDoes() throws Exception {
        SerialExecutor a = new SerialExecutor(pool, "a");
        SerialExecutor b = new SerialExecutor(pool, "b");
        CompletableFuture<String> result = a.call(() -> b.call(() -> "from b").join());
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("from b");
    }

    @Test
    void aBatchingMailboxWakesWhatItsTasksHandedOverOnceTheBatchIsDone() throws Exception {
        SerialExecutor queue = SerialExecutor.batching(pool, "queue");
        SerialExecutor other = SerialExecutor.batching(pool, "other");
        CompletableFuture<String> handed = new CompletableFuture<>();
        queue.execute(() -> other.execute(() -> handed.complete("ran")));
        assertThat(handed.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
    }
}
