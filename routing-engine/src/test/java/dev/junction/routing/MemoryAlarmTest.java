package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The memory alarm follows the heap that is live after a collection, not the heap as it is now: garbage left by a
 * burst must not keep publishers blocked (RabbitMQ's memory alarm likewise measures what the runtime really holds).
 * Real allocations, a real collector; the waits are generous bounds, not timings.
 */
class MemoryAlarmTest {

    private static final int MIB = 1 << 20;
    private static final long BOUND_MS = 60_000;

    private ScheduledExecutorService timers;
    private MemoryAlarm alarm;
    private List<byte[]> live;

    @BeforeEach
    void start() {
        timers = Executors.newSingleThreadScheduledExecutor();
        alarm = new MemoryAlarm(60);
        alarm.start(timers);
    }

    @AfterEach
    void stop() {
        live = null;
        alarm.stop();
        timers.shutdownNow();
    }

    /** Live data past the watermark raises the alarm; once it is garbage and collected, the alarm clears. */
    @Test
    void liveDataPastTheWatermarkRaisesTheAlarmAndACollectionAfterItIsDroppedClearsIt() {
        long base = watermarksAboveTheCurrentHeap();
        fill();
        System.gc();
        await(alarm::raised, "raised by live data past the watermark");
        assertThat(alarm.usedAfterLastCollection()).isGreaterThan(base);

        live = null;
        System.gc();
        await(() -> !alarm.raised(), "cleared once the collection freed the data");
    }

    /**
     * The incident: the burst's data became garbage while publishers were blocked, nothing allocated and so nothing
     * collected, and the alarm stayed raised. The alarm must get the garbage collected itself and clear.
     */
    @Test
    void aRaisedAlarmWhoseDataBecameGarbageClearsWithoutAnyoneElseCollecting() {
        watermarksAboveTheCurrentHeap();
        fill();
        System.gc();
        await(alarm::raised, "raised by live data past the watermark");

        live = null; // no System.gc() here: the blocked broker allocates nothing that would start a collection
        await(() -> !alarm.raised(), "cleared once the garbage is collected");
    }

    @Test
    void theDiskPartHoldsTheAlarmWhateverTheHeap() {
        List<Boolean> seen = new ArrayList<>();
        alarm.subscribe(seen::add);
        alarm.disk(true);
        assertThat(alarm.raised()).isTrue();
        assertThat(alarm.raised(MemoryAlarm.Resource.DISK)).isTrue();
        assertThat(alarm.raised(MemoryAlarm.Resource.MEMORY)).isFalse();
        alarm.disk(false);
        assertThat(alarm.raised()).isFalse();
        assertThat(seen).containsExactly(true, false);
    }

    /** Sets the watermarks 48 MiB above the heap in use now, clearing 16 MiB above it; returns that heap. */
    private long watermarksAboveTheCurrentHeap() {
        System.gc();
        await(() -> alarm.usedAfterLastCollection() >= 0, "a first collection measured");
        long base = alarm.usedAfterLastCollection();
        alarm.watermarkBytes(base + 48L * MIB, base + 16L * MIB);
        return base;
    }

    private void fill() {
        live = new ArrayList<>();
        for (int i = 0; i < 96; i++) {
            live.add(new byte[MIB]);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
