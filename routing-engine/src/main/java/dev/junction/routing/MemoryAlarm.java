package dev.junction.routing;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alarm that blocks publishers: raised while the heap in use <b>after the last garbage collection</b> is above
 * the high watermark (a share of the maximum heap), or while the {@link DiskAlarm} holds it; the memory part clears
 * when use after a collection falls 10 points below the watermark. Adapters block their publishers while it is
 * raised (AMQP connection.blocked, MQTT by not reading), so a burst of publishing cannot run the broker out of
 * memory, and a full disk cannot take confirmed writes.
 *
 * <p>Why after collection: the heap as it is now counts garbage that the next collection frees. Blocking publishers
 * stops allocation, so once raised on garbage, no collection came to clear it (it stayed raised for minutes with
 * nothing live). The measure is therefore what each collection leaves ({@link GarbageCollectionNotificationInfo}),
 * and while the alarm is raised with no collection for {@value #COLLECT_WHEN_RAISED_MS} ms, it asks for one, so
 * garbage alone can never hold it (backing off while the memory turns out to be live).
 *
 * <p>Listeners are called on the thread that changed the state (the timer, a collector's notification thread or
 * the caller of {@link #force}), with {@code true} when publishers must stop and {@code false} when they may go on.
 */
public final class MemoryAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryAlarm.class);
    private static final long CHECK_EVERY_MS = 250;
    /** While raised with no collection for this long, ask for one (see the class comment). */
    static final long COLLECT_WHEN_RAISED_MS = 2_000;
    private static final long MAX_COLLECT_AFTER_MS = 60_000;

    /** What can hold the alarm. */
    public enum Resource {
        MEMORY, DISK
    }

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();
    private final Set<Consumer<Boolean>> listeners = new CopyOnWriteArraySet<>();
    private final List<Runnable> unregister = new ArrayList<>();
    private volatile int highPercent;
    /** Byte thresholds that override the percentages (tests). */
    private volatile long highBytes = -1;
    private volatile long clearBytes = -1;
    /** Heap in use right after the last collection; -1 before the first one. */
    private volatile long usedAfterGc = -1;
    private volatile long lastGcNanos = System.nanoTime();
    private volatile boolean memoryRaised;
    private volatile boolean diskRaised;
    private volatile boolean raised;
    private volatile Boolean forced;
    /** Timer thread only: how long to wait for a collection before asking for one. */
    private long collectAfterMs = COLLECT_WHEN_RAISED_MS;
    private ScheduledFuture<?> task;

    MemoryAlarm(int highPercent) {
        this.highPercent = highPercent;
    }

    void start(ScheduledExecutorService timers) {
        NotificationListener onGc = this::collected;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(onGc, null, null);
                unregister.add(() -> {
                    try {
                        emitter.removeNotificationListener(onGc);
                    } catch (javax.management.ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }
        task = timers.scheduleWithFixedDelay(this::check, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
        unregister.forEach(Runnable::run);
        unregister.clear();
    }

    public void setHighWatermarkPercent(int percent) {
        this.highPercent = percent;
    }

    /** Byte thresholds instead of the percentages: raise at {@code high}, clear below {@code clear} (tests). */
    void watermarkBytes(long high, long clear) {
        this.highBytes = high;
        this.clearBytes = clear;
    }

    /** Whether publishers are blocked now (memory, disk or forced). */
    public boolean raised() {
        return raised;
    }

    /** Whether {@code resource} holds the alarm now. */
    public boolean raised(Resource resource) {
        return resource == Resource.MEMORY ? memoryRaised : diskRaised;
    }

    /** Heap in use right after the last collection, or -1 before the first one. */
    public long usedAfterLastCollection() {
        return usedAfterGc;
    }

    public void subscribe(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Consumer<Boolean> listener) {
        listeners.remove(listener);
    }

    /**
     * Overrides the measured state (an operator's manual switch, and tests): {@code true} or {@code false} holds
     * the alarm there, {@code null} returns to measuring.
     */
    public void force(Boolean state) {
        forced = state;
        update();
    }

    /** The disk alarm's part: publishers stay blocked while it holds, whatever the heap. */
    void disk(boolean on) {
        diskRaised = on;
        update();
    }

    private synchronized void update() {
        Boolean f = forced;
        boolean on = f != null ? f : memoryRaised || diskRaised;
        if (on != raised) {
            raised = on;
            listeners.forEach(l -> l.accept(on));
        }
    }

    private void collected(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        Map<String, MemoryUsage> after = info.getGcInfo().getMemoryUsageAfterGc();
        long used = 0;
        for (String pool : heapPools) {
            MemoryUsage u = after.get(pool);
            if (u != null) {
                used += u.getUsed();
            }
        }
        usedAfterGc = used;
        lastGcNanos = System.nanoTime();
        evaluate();
    }

    private void check() {
        if (usedAfterGc < 0) {
            return; // nothing measured yet: no collection, so nothing has filled the heap
        }
        if (!memoryRaised) {
            collectAfterMs = COLLECT_WHEN_RAISED_MS;
            return;
        }
        if (forced == null && System.nanoTime() - lastGcNanos > TimeUnit.MILLISECONDS.toNanos(collectAfterMs)) {
            // Publishers are blocked, so little allocates and no collection may come on its own: ask for one,
            // so that memory that is garbage by now clears the alarm. If the memory is really live, asking again
            // every 2 s would spend the broker's time in full collections: each request that leaves the alarm
            // raised doubles the wait, up to a minute.
            LOG.debug("memory alarm raised with no collection for {} ms; requesting one", collectAfterMs);
            lastGcNanos = System.nanoTime();
            collectAfterMs = Math.min(MAX_COLLECT_AFTER_MS, collectAfterMs * 2);
            System.gc();
        }
    }

    private synchronized void evaluate() {
        long max = memory.getHeapMemoryUsage().getMax();
        if (max <= 0) {
            return;
        }
        long used = usedAfterGc;
        long high = highBytes >= 0 ? highBytes : max / 100 * highPercent;
        long clear = clearBytes >= 0 ? clearBytes : max / 100 * Math.max(0, highPercent - 10);
        if (!memoryRaised && used >= high) {
            LOG.warn("memory alarm: heap {}% in use after collection (high watermark {}%); blocking publishers",
                    used * 100 / max, highPercent);
            memoryRaised = true;
            update();
        } else if (memoryRaised && used < clear) {
            LOG.info("memory alarm cleared: heap {}% in use after collection; unblocking publishers",
                    used * 100 / max);
            memoryRaised = false;
            update();
        }
    }
}
