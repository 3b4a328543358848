package dev.junction.routing.api;

import dev.junction.routing.queue.Handoff;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * A connection's way out and its brake, the part every protocol adapter needs the same: deliveries cross from
 * queue threads to the connection's owner thread (its event loop) in batches with one flush per batch; writes
 * made on the owner thread are flushed once per task (coalesced); consumers are paused while the socket is not
 * writable or too many deliveries wait, and resumed when that clears; the publisher's socket stops being read
 * while a memory alarm holds it or a publish waits for a congested queue ({@link ReadGate}).
 *
 * <p>A connection held for a congested queue is counted in the vhost's {@link PublisherHolds} while it is.
 *
 * <p>Confined to the owner thread except {@link #deliver}, {@link #canTakeDeliveries} and
 * {@link #publisherCongested}'s relief, which queue threads call. The adapter wires it to its transport
 * with three callbacks, so this class knows nothing of Netty:
 * <pre>{@code
 * outlet = new DeliveryOutlet(ctx.executor(), MAX_PENDING, ctx::flush, this::resumeConsumers,
 *         on -> ctx.channel().config().setAutoRead(on));
 * }</pre>
 *
 * <p>The handoff is made with the first delivery: a connection that only publishes (most devices of a fleet) never
 * pays for one.
 */
public final class DeliveryOutlet {
    private static final VarHandle HANDOFF;

    static {
        try {
            HANDOFF = MethodHandles.lookup().findVarHandle(DeliveryOutlet.class, "handoff", Handoff.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Executor owner;
    private final int maxPending;
    private final Runnable flush;
    private final Runnable resumeConsumers;
    /** Null until the first delivery; then set once (by whichever queue thread gets there first). */
    private volatile Handoff handoff;
    private final ReadGate gate;
    private volatile boolean writable = true;
    /** False once the connection closed: queues must stop handing deliveries (auto-acked ones would be lost). */
    private volatile boolean open = true;
    private boolean flushPending;
    /** Whether reading waits for a congested queue; the connection is counted in {@link #holdMeter} meanwhile. */
    private boolean queueHeld;
    private PublisherHolds holdMeter;
    private long heldSince;

    /**
     * @param owner           the connection's owner thread (its event loop)
     * @param maxPending      deliveries that may wait for the owner thread before consumers are paused
     * @param flush           writes out what was written (Netty {@code ctx.flush()}); runs on the owner thread
     * @param resumeConsumers asks every consumer of the connection to resume; runs on the owner thread
     * @param reading         turns reading of the socket on (true) or off (false); runs on the owner thread
     */
    public DeliveryOutlet(Executor owner, int maxPending, Runnable flush, Runnable resumeConsumers,
                          Consumer<Boolean> reading) {
        this.owner = owner;
        this.maxPending = maxPending;
        this.flush = flush;
        this.resumeConsumers = resumeConsumers;
        this.gate = new ReadGate(reading);
    }

    // ---- deliveries: queue threads to the owner thread ----------------------------------------------------------

    /** Called on a queue thread: {@code onOwnerThread} runs on the owner thread, in order, flushed per batch. */
    public void deliver(Runnable onOwnerThread) {
        Handoff h = handoff;
        if (h == null) {
            Handoff made = new Handoff(owner, maxPending, this::flushNow, resumeConsumers);
            h = (Handoff) HANDOFF.compareAndExchange(this, null, made);
            h = h == null ? made : h; // another queue thread may have made it first: everyone uses that one
        }
        h.submit(onOwnerThread);
    }

    /**
     * Whether consumers of this connection may be given more deliveries now: it is open, its socket is writable
     * and the handoff has room. A {@link DeliverySink#ready()} answers this; when it said no, the consumers are
     * resumed once it would say yes again.
     */
    public boolean canTakeDeliveries() {
        Handoff h = handoff;
        return open && writable && (h == null || h.hasRoom()); // no handoff yet: nothing waits
    }

    /** The socket's writability changed (Netty's {@code channelWritabilityChanged}): writable resumes consumers. */
    public void writabilityChanged(boolean nowWritable) {
        writable = nowWritable;
        if (nowWritable) {
            resumeConsumers.run();
        }
    }

    /**
     * The connection closed: no more deliveries are taken; those already handed over are still run. Call on the
     * owner thread.
     */
    public void closed() {
        open = false;
        if (queueHeld) {
            queueHeld = false; // a relief still to come finds nothing to count
            endHold();
        }
    }

    public boolean isOpen() {
        return open;
    }

    // ---- writes -------------------------------------------------------------------------------------------------

    /** Something was written on the owner thread: everything written during this task goes out in one flush. */
    public void written() {
        if (!flushPending) {
            flushPending = true;
            owner.execute(this::flushNow);
        }
    }

    /** Flushes now (the end of a read batch, a reply that must not wait). */
    public void flushNow() {
        flushPending = false;
        flush.run();
    }

    // ---- the publisher's brake ----------------------------------------------------------------------------------

    /**
     * A publish reached a congested queue: stop reading until it caught up. The client is not told; RabbitMQ does
     * not tell clients about its per-connection flow state either. Call on the owner thread.
     *
     * <p>Only the first such publish is waited for: those decoded from the same socket read after it (thousands of
     * small ones) would each cost a callback and an owner-thread task. Once the first queue caught up, reading
     * resumes, and a publish to a queue still congested stops it again.
     */
    public void publisherCongested(PublishResult result) {
        if (!result.congested() || queueHeld) {
            return;
        }
        queueHeld = true;
        gate.congested();
        if (result.holds() != null) {
            holdMeter = result.holds();
            heldSince = holdMeter.started();
        }
        result.whenRelieved(() -> {
            try {
                owner.execute(this::queueRelieved);
            } catch (RejectedExecutionException closed) {
                // the owner thread went away with the connection, and the gate with it
            }
        });
    }

    private void queueRelieved() {
        if (queueHeld) {
            queueHeld = false;
            gate.relieved();
            endHold();
        }
    }

    private void endHold() {
        if (holdMeter != null) {
            holdMeter.ended(heldSince);
            holdMeter = null;
        }
    }

    /** The memory or disk alarm changed, for a connection that publishes: reading stops while it is raised. */
    public void alarm(boolean raised) {
        gate.memoryAlarm(raised);
    }

    /**
     * Stops reading (true) until the matching release (false), for holds of the adapter's own: content in flight
     * over its cap, a throttled login waiting, a long request being applied. Holds nest.
     */
    public void hold(boolean on) {
        if (on) {
            gate.congested();
        } else {
            gate.relieved();
        }
    }

    /** Something was read: a stop before this no longer excuses a later silence. */
    public void read() {
        gate.read();
    }

    public boolean reading() {
        return gate.open();
    }

    /**
     * Whether reading stopped at any time since the last call or read: a read-idle timeout that fired after such a
     * period measured the broker's silence, not the peer's, and should be ignored once.
     */
    public boolean stoppedSinceAsked() {
        return gate.stoppedSinceAsked();
    }
}
