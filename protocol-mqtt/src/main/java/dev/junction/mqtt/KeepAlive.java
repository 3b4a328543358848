package dev.junction.mqtt;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection's keep alive: a client that sends no packet for one and a half times its Keep Alive is gone, and
 * the server closes the connection [MQTT-3.1.2-24] (MQTT 5: its Server Keep Alive, MQTT-3.1.2-22). The deadline
 * sits on the server's one timer wheel ({@link MqttServer#keepAliveWheel}) instead of a handler and scheduled tasks
 * of the connection's own: a read only notes the time, and the wheel's timeout, when it fires, looks on the event
 * loop at how long the client has really been silent and either closes or sets itself for the time left. An idle
 * fleet of devices so costs one wheel entry per connection and one check per period.
 *
 * <p>A silence during which the server itself stopped reading the socket ({@link ReadControl#stoppedSinceAsked})
 * is not the client's: the connection gets another period. Owned by the connection's event loop.
 */
final class KeepAlive implements TimerTask {
    private final MqttConnection c;
    private Timer wheel;
    /** One and a half keep alive periods, in nanoseconds; 0 while not watched. */
    private long limitNanos;
    private long lastRead;
    private Timeout due;

    KeepAlive(MqttConnection c) {
        this.c = c;
    }

    /** Starts watching for {@code keepAliveSeconds} (0: never [MQTT-3.1.2-10]). */
    void start(Timer timerWheel, int keepAliveSeconds) {
        if (keepAliveSeconds <= 0) {
            return;
        }
        this.wheel = timerWheel;
        this.limitNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveSeconds * 1500L);
        this.lastRead = System.nanoTime();
        arm(limitNanos);
    }

    /** A packet arrived. */
    void read() {
        if (limitNanos != 0) {
            lastRead = System.nanoTime();
        }
    }

    /** The connection closed. */
    void stop() {
        limitNanos = 0;
        if (due != null) {
            due.cancel();
            due = null;
        }
    }

    /** Sets the wheel entry; this object is its task, so a pending deadline costs the entry alone. */
    private void arm(long delayNanos) {
        due = wheel.newTimeout(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The deadline passed, on the wheel's thread: look on the event loop. */
    @Override
    public void run(Timeout timeout) {
        try {
            c.onLoop(this::check);
        } catch (RejectedExecutionException gone) {
            // the event loop has stopped: the connection is closed with it
        }
    }

    /** A wheel task that runs {@code task} on {@code conn}'s event loop (the wheel's thread only posts it). */
    static TimerTask onLoop(MqttConnection conn, Runnable task) {
        return t -> {
            try {
                conn.onLoop(task);
            } catch (RejectedExecutionException gone) {
                // the event loop has stopped: the connection is closed with it
            }
        };
    }

    private void check() {
        if (limitNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        long silent = now - lastRead;
        if (silent < limitNanos) {
            arm(limitNanos - silent);
        } else if (c.reading.stoppedSinceAsked()) {
            lastRead = now; // the silence is ours, not the client's
            arm(limitNanos);
        } else {
            due = null;
            c.keepAliveExpired();
        }
    }
}
