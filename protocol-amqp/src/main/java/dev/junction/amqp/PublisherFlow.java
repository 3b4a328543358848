package dev.junction.amqp;

import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.PublishResult;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Holding a publishing connection back, so that TCP rather than the heap absorbs what the broker cannot take yet:
 * the memory alarm blocks it (with connection.blocked for clients that support it, as RabbitMQ does), and a publish
 * that reaches a congested queue stops reading its socket until that queue has caught up. The stopping and
 * restarting of reads is the connection's {@link DeliveryOutlet}'s; this class decides when, and tells the client.
 * Confined to the connection's event loop.
 */
final class PublisherFlow {
    /** What the flow needs of its connection. */
    interface Connection {
        boolean isOpen();

        /** Whether the client announced RabbitMQ's {@code connection.blocked} capability at start-ok. */
        boolean understandsBlocked();

        /** Sends {@code m} (connection.blocked or unblocked) on channel 0 and flushes it. */
        void tell(Method m);

        /** Handles the frames held back while the connection was blocked. */
        void resumeParked();
    }

    private final Connection conn;
    private final Engine engine;
    private final DeliveryOutlet outlet;
    private boolean blocked;
    /** Set once the connection publishes: only publishers are blocked by a memory alarm, as in RabbitMQ. */
    private boolean publisher;
    final Consumer<Boolean> memoryListener;

    /** @param loop the connection's event loop, where alarm changes (told on an engine thread) are handled */
    PublisherFlow(Connection conn, Engine engine, DeliveryOutlet outlet, Executor loop) {
        this.conn = conn;
        this.engine = engine;
        this.outlet = outlet;
        this.memoryListener = on -> loop.execute(() -> memoryAlarm(on));
    }

    /** Whether a memory alarm holds the connection: frames already read wait until it clears. */
    boolean blocked() {
        return blocked;
    }

    /** Bytes were read from the socket. */
    void read() {
        outlet.read();
    }

    /** Whether reading stopped at any time since the last call (then a missed heartbeat may be our doing). */
    boolean stoppedSinceAsked() {
        return outlet.stoppedSinceAsked();
    }

    /** Called when the connection publishes: a raised alarm blocks it now. */
    void published() {
        if (!publisher) {
            publisher = true;
            if (engine.alarmRaised()) {
                memoryAlarm(true);
            }
        }
    }

    void memoryAlarm(boolean on) {
        if (!conn.isOpen()) {
            return;
        }
        if (on && !blocked && publisher) {
            blocked = true;
            if (conn.understandsBlocked()) {
                // RabbitMQ's reasons: which resource alarm blocks the publisher.
                boolean disk = engine.diskAlarmRaised();
                conn.tell(MethodType.CONNECTION_BLOCKED.with(disk ? "low on disk" : "low on memory"));
            }
            outlet.alarm(true);
        } else if (!on && blocked) {
            blocked = false;
            if (conn.understandsBlocked()) {
                conn.tell(MethodType.CONNECTION_UNBLOCKED.with());
            }
            outlet.alarm(false);
            conn.resumeParked();
        }
    }

    /**
     * Stops reading (true) until the matching release (false), for holds other than the memory alarm and queues:
     * content in flight over its cap ({@link ContentInFlight}), a throttled login waiting. Holds nest.
     */
    void hold(boolean over) {
        outlet.hold(over);
    }

    /** A publish found a target queue far behind: stop reading until it catches up (see DeliveryOutlet). */
    void congested(PublishResult result) {
        outlet.publisherCongested(result);
    }
}
