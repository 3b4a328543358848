package dev.junction.routing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raised while heap use outside the young allocation area is above the high watermark (a share of the maximum
 * heap), cleared when it falls 10 points below it. Adapters block their publishers while it is raised (AMQP
 * connection.blocked, MQTT by not reading), so a burst of publishing cannot run the broker out of memory.
 * Listeners are called on the timer thread.
 */
public final class MemoryAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryAlarm.class);
    private static final long CHECK_EVERY_MS = 250;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    /**
     * The collectors' allocation areas (G1 and Parallel "Eden Space"). What sits there is mostly garbage that the
     * next young collection frees, and G1 lets it grow to 60 % of the heap: counting it raised the alarm on busy
     * but healthy brokers (seen while a consumer drained a ten-million-message queue).
     */
    private final List<MemoryPoolMXBean> eden = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.getName().contains("Eden")).toList();
    private final Set<Consumer<Boolean>> listeners = new CopyOnWriteArraySet<>();
    private volatile int highPercent;
    private volatile boolean raised;
    private volatile Boolean forced;
    private ScheduledFuture<?> task;

    MemoryAlarm(int highPercent) {
        this.highPercent = highPercent;
    }

    void start(ScheduledExecutorService timers) {
        task = timers.scheduleWithFixedDelay(this::check, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    public void setHighWatermarkPercent(int percent) {
        this.highPercent = percent;
    }

    public boolean raised() {
        return raised;
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
        if (state != null) {
            set(state);
        }
    }

    private void set(boolean on) {
        if (on != raised) {
            raised = on;
            listeners.forEach(l -> l.accept(on));
        }
    }

    private void check() {
        if (forced != null) {
            return;
        }
        long max = memory.getHeapMemoryUsage().getMax();
        if (max <= 0) {
            return;
        }
        long used = memory.getHeapMemoryUsage().getUsed();
        for (MemoryPoolMXBean p : eden) {
            used -= p.getUsage().getUsed();
        }
        long percent = used * 100 / max;
        if (!raised && percent >= highPercent) {
            LOG.warn("memory alarm: heap {}% used (high watermark {}%); blocking publishers", percent, highPercent);
            set(true);
        } else if (raised && percent < highPercent - 10) {
            LOG.info("memory alarm cleared: heap {}% used; unblocking publishers", percent);
            set(false);
        }
    }
}
