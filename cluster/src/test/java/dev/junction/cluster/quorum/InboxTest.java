package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The owner takes every item once and in the order added, from many threads, in bursts (fewer than the items), each
 * followed by its after-burst step; an owner that has stopped refuses items instead of dropping them silently.
 */
class InboxTest {

    @Test
    void itemsFromManyThreadsArriveOnceInEachThreadsOrderInBursts() throws Exception {
        ExecutorService owner = Executors.newSingleThreadExecutor();
        List<long[]> seen = new ArrayList<>(); // the owner's only
        AtomicInteger bursts = new AtomicInteger();
        Inbox<long[]> inbox = new Inbox<>(owner, seen::add, bursts::incrementAndGet);
        int threads = 4;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> adders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long thread = t;
            Thread a = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long i = 0; i < each; i++) {
                    assertThat(inbox.add(new long[] {thread, i})).isTrue();
                }
            });
            a.start();
            adders.add(a);
        }
        go.countDown();
        for (Thread a : adders) {
            a.join();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (owner.submit(seen::size).get(10, TimeUnit.SECONDS) < threads * each && System.nanoTime() < deadline) {
            Thread.sleep(10); // a full burst schedules the next behind the owner's other tasks
        }
        owner.shutdown();
        assertThat(owner.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(seen).hasSize(threads * each);
        long[] next = new long[threads];
        for (long[] item : seen) {
            assertThat(item[1]).isEqualTo(next[(int) item[0]]);
            next[(int) item[0]]++;
        }
        assertThat(bursts.get()).isBetween(threads * each / Inbox.BURST, threads * each - 1);
    }

    @Test
    void aStoppedOwnerRefusesItems() {
        ExecutorService owner = Executors.newSingleThreadExecutor();
        owner.shutdownNow();
        Inbox<String> inbox = new Inbox<>(owner, s -> { }, () -> { });
        assertThat(inbox.add("a")).isFalse();
        assertThat(inbox.add("b")).isFalse();
    }
}
