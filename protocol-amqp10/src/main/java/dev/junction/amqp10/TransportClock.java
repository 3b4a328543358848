package dev.junction.amqp10;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.engine.Transport;

/**
 * proton-j's clock for one connection: {@link Transport#tick} sends empty frames for the peer's idle timeout and
 * closes a peer silent for ours [AMQP 1.0 part 2 section 2.4.5], and says when it next wants the clock; a timer on
 * the connection's event loop then runs the connection's flush, which ticks again.
 */
final class TransportClock {
    private final EventExecutor loop;
    private final Runnable flush;
    private ScheduledFuture<?> tick;
    private long tickDeadline;

    TransportClock(EventExecutor loop, Runnable flush) {
        this.loop = loop;
        this.flush = flush;
    }

    /** Ticks {@code transport} now and keeps a timer for the earliest deadline it named. */
    void tick(Transport transport) {
        long deadline = transport.tick(nowMs());
        if (deadline != 0 && (tick == null || deadline - tickDeadline < 0)) {
            if (tick != null) {
                tick.cancel(false);
            }
            tickDeadline = deadline;
            tick = loop.schedule(() -> {
                tick = null;
                flush.run();
            }, Math.max(1, deadline - nowMs()), TimeUnit.MILLISECONDS);
        }
    }

    /** The connection is gone: no more ticks. */
    void stop() {
        if (tick != null) {
            tick.cancel(false);
        }
    }

    private static long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
