package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The shutdown hook waits for the start to end, but not for a start whose own thread is exiting the JVM. */
class StartStopTurnTest {
    @Test
    void theStopWaitsForTheStartToEnd() throws Exception {
        StartStopTurn turn = new StartStopTurn(() -> false);
        CountDownLatch endStart = new CountDownLatch(1);
        Thread starter = startHolding(turn, endStart, true);
        CompletableFuture<Boolean> stop = CompletableFuture.supplyAsync(() -> awaitTurn(turn));
        Thread.sleep(300);
        assertThat(stop).isNotDone();
        endStart.countDown();
        assertThat(stop.get(10, TimeUnit.SECONDS)).isTrue();
        starter.join(10_000);
    }

    /** As Ratis's System.exit on the starting thread: that thread waits for the hook, which must not wait for it. */
    @Test
    void theStopGoesOnWhenTheStartingThreadExits() throws Exception {
        AtomicBoolean exiting = new AtomicBoolean();
        StartStopTurn turn = new StartStopTurn(exiting::get);
        CountDownLatch never = new CountDownLatch(1);
        Thread starter = startHolding(turn, never, false);
        CompletableFuture<Boolean> stop = CompletableFuture.supplyAsync(() -> awaitTurn(turn));
        Thread.sleep(300);
        assertThat(stop).isNotDone();
        exiting.set(true);
        assertThat(stop.get(10, TimeUnit.SECONDS)).isFalse();
        never.countDown();
        starter.join(10_000);
    }

    @Test
    void theStopGoesOnAfterItsBound() throws Exception {
        StartStopTurn turn = new StartStopTurn(() -> false);
        CountDownLatch never = new CountDownLatch(1);
        Thread starter = startHolding(turn, never, false);
        assertThat(turn.awaitStopTurn(Duration.ofMillis(300))).isFalse();
        never.countDown();
        starter.join(10_000);
    }

    @Test
    void aThreadThatWaitsIsNotExiting() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Thread waiting = new Thread(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiting.start();
        assertThat(StartStopTurn.exiting(waiting)).isFalse();
        assertThat(StartStopTurn.exiting(Thread.currentThread())).isFalse();
        never.countDown();
        waiting.join(10_000);
    }

    /**
     * A thread that takes the start turn and holds it until {@code release} opens (then ends the turn only if
     * {@code endTurn}: a starting thread that exits never does); returns once the turn is taken.
     */
    private static Thread startHolding(StartStopTurn turn, CountDownLatch release, boolean endTurn)
            throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Thread starter = new Thread(() -> {
            turn.begin();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (endTurn) {
                    turn.end();
                }
            }
        });
        starter.start();
        started.await();
        return starter;
    }

    private static boolean awaitTurn(StartStopTurn turn) {
        try {
            boolean got = turn.awaitStopTurn(Duration.ofMinutes(1));
            if (got) {
                turn.end();
            }
            return got;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
