package dev.junction.routing.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.storage.QueueKey;
import dev.junction.storage.memory.InMemoryMessageStore;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many more stored delayed messages than the heap window holds: every one is released, in due-time order, while
 * the heap holds at most about twice the window; and a holder started again on the same store finds them all.
 */
class StoredWindowTest {
    private static final int N = 5 * StoredWindow.SIZE;
    private static final MessageProperties PERSISTENT = MessageProperties.builder().deliveryMode(2).build();

    private final InMemoryMessageStore store = new InMemoryMessageStore();
    private final AtomicLong ids = new AtomicLong();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService owner = Executors.newSingleThreadExecutor();
    private final List<Long> released = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        owner.shutdownNow();
    }

    private DelayedMessages holder() {
        HeldStore held = new HeldStore(store, "/", "later", ids::incrementAndGet, Message::body,
                body -> new Message("later", "", PERSISTENT, body));
        return new DelayedMessages(timers, owner, m -> released.add(ByteBuffer.wrap(m.body()).getLong()), held);
    }

    private static Message due(long at) {
        return new Message("later", "", PERSISTENT, ByteBuffer.allocate(8).putLong(at).array());
    }

    private static long onHeap(DelayedMessages h) throws Exception {
        return CompletableFuture.supplyAsync(h::onHeap).get(30, TimeUnit.SECONDS);
    }

    @Test
    void everyStoredMessageIsReleasedInDueOrderWithABoundedWindow() throws Exception {
        DelayedMessages h = holder();
        long start = System.currentTimeMillis() + 1500;
        Random r = new Random(3);
        for (int i = 0; i < N; i++) {
            long at = start + r.nextInt(1500);
            h.hold(at, due(at)).get(30, TimeUnit.SECONDS);
        }
        assertThat(h.pending()).isEqualTo(N);
        // A limit for a hung holder, not a timing: on two busy cores the releases have taken longer than 20 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long peak = 0;
        while (released.size() < N && System.nanoTime() < deadline) {
            peak = Math.max(peak, onHeap(h));
            Thread.sleep(20);
        }
        assertThat(released).hasSize(N);
        assertThat(released).isSorted();
        assertThat(peak).as("heap entries at most about twice the window").isLessThanOrEqualTo(2L * StoredWindow.SIZE);
        assertThat(h.pending()).isZero();
    }

    @Test
    void aHolderStartedAgainOnTheSameStoreFindsEveryHeldMessage() throws Exception {
        DelayedMessages first = holder();
        long start = System.currentTimeMillis() + 60_000;
        for (int i = 0; i < N; i++) {
            first.hold(start + i, due(start + i)).get(30, TimeUnit.SECONDS);
        }
        // Wait for the owner to index them; then a second holder recovers from the store.
        CompletableFuture.runAsync(() -> { }, owner).get(30, TimeUnit.SECONDS);
        DelayedMessages second = holder();
        assertThat(second.recover()).isEqualTo(N);
        assertThat(second.pending()).isEqualTo(N);
        assertThat(onHeap(second)).isZero();
        // An index that lost entries (a power cut before they reached the disk) gets them back from the records.
        QueueKey key = new QueueKey("/", "amq.delayed/later");
        long[] kept = store.timeIndex(key).next(Long.MIN_VALUE, Long.MIN_VALUE, 10);
        store.timeIndex(key).clear();
        for (int i = 0; i < kept.length; i += 2) {
            store.timeIndex(key).add(kept[i], kept[i + 1]);
        }
        assertThat(holder().recover()).isEqualTo(N);
        assertThat(store.timeIndex(key).ids()).hasSize(N);
        assertThat(store.timeIndex(key).next(start + N - 2, Long.MAX_VALUE, 5)).hasSize(2);
    }
}
