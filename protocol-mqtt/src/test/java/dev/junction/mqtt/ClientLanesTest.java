package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-client-id serial lanes: order within a client id, no waiting across client ids, bounded memory. */
class ClientLanesTest {
    private final ClientLanes lanes = new ClientLanes(2);

    @AfterEach
    void close() {
        lanes.close();
    }

    @Test
    void tasksOfOneClientIdRunInOrderAndOneAtATime() throws Exception {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlap = new AtomicInteger();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            all.add(lanes.run("c1", () -> {
                if (running.incrementAndGet() > 1) {
                    overlap.incrementAndGet();
                }
                seen.add(n);
                running.decrementAndGet();
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(overlap).hasValue(0);
        assertThat(seen).hasSize(500).isSorted();
    }

    @Test
    void aBlockedClientIdDoesNotHoldBackAnother() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocked = lanes.run("slow", () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(lanes.submit("fast", () -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(blocked).isNotDone();
        release.countDown();
        blocked.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aFailingTaskFailsItsFutureAndTheLaneGoesOn() throws Exception {
        CompletableFuture<Object> failed = lanes.submit("c", () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(lanes.submit("c", () -> "next").get(5, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(failed).isCompletedExceptionally();
    }

    @Test
    void idleLanesAreDropped() throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(lanes.run("client-" + i, () -> { }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lanes.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // the count drops right after each future completes
        }
        assertThat(lanes.active()).isZero();
    }

    @Test
    void afterCloseTasksAreRefusedNotLost() {
        lanes.close();
        assertThat(lanes.run("c", () -> { })).isCompletedExceptionally();
        assertThat(lanes.active()).isZero();
    }
}
