package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A start that stalls reports where the starting thread waits, until the start ends. */
class StartupWatchTest {
    @Test
    void reportsTheStartingThreadsStackUntilClosed() throws Exception {
        CountDownLatch neverDuringTheWatch = new CountDownLatch(1);
        Thread starting = new Thread(() -> waitIn(neverDuringTheWatch), "starting");
        starting.start();
        BlockingQueue<Throwable> reports = new LinkedBlockingQueue<>();
        try (StartupWatch watch = StartupWatch.of(starting, Duration.ofMillis(50), reports::add)) {
            Throwable where = reports.poll(10, TimeUnit.SECONDS);
            // On a loaded machine the first report may come before the thread reached its wait.
            while (where != null && !where.getMessage().contains("WAITING")) {
                where = reports.poll(10, TimeUnit.SECONDS);
            }
            assertThat(where).isNotNull();
            assertThat(where.getMessage()).startsWith("start-up still running after ")
                    .contains("thread starting is WAITING in:");
            assertThat(Arrays.stream(where.getStackTrace()).map(StackTraceElement::getMethodName))
                    .contains("waitIn");
        } finally {
            neverDuringTheWatch.countDown();
            starting.join(10_000);
        }
        Thread.sleep(200); // a report already running when the watch closed may still land
        reports.clear();
        Thread.sleep(300);
        assertThat(reports).isEmpty();
    }

    private static void waitIn(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
