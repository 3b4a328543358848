package dev.junction.routing.queue;

import dev.junction.routing.SerialExecutor;
import dev.junction.routing.api.QueueSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * When a queue asks its publishers to pause (they stop reading their sockets, so TCP slows the clients): while its
 * mailbox holds more than {@value #CONGESTED} tasks, until it is down to half that; while its ready messages pile up
 * in front of consumers that could take them ({@link BacklogHold}); and, for a queue declared with
 * {@link QueueSpec#HOLD_PUBLISHERS}, while its consumers fall behind but keep taking messages, so that its length
 * limit does not drop what a connected, reading consumer would have taken (MQTT QoS 0 to a subscriber slower than
 * its publishers). That hold starts at half the queue's {@code x-max-length} of ready messages and ends at a quarter.
 * Both holds end when the queue has no consumer, or when its consumers took nothing for {@value #STALL_MILLIS} ms
 * (a consumer that stopped reading its socket): then the queue fills (and its length limit drops from the head) as
 * before, and no hold starts again before the consumers take something.
 *
 * <p>{@link #update} and {@link #delivered} run on the queue's thread; {@link #congested} and
 * {@link #whenRelieved} on publishers' threads.
 */
final class PublisherBrake {
    /** Tasks waiting in the mailbox past which publishers to this queue are asked to pause. */
    static final int CONGESTED = 2000;
    static final long STALL_MILLIS = 1000;
    /** Consumers looked at for credit on a change ({@link ConsumerSet#anyWithCredit}). */
    private static final int CONSUMERS_LOOKED_AT = 16;

    private final SerialExecutor mailbox;
    private final QueueHost host;
    private final EffectiveArguments args;
    private final boolean holds;
    private volatile boolean held;
    /** Publishers waiting for the hold to end; guarded by this. */
    private List<Runnable> waiting;

    // Queue thread only.
    private final BacklogHold backlog;
    private boolean lengthHeld;
    private long delivered;
    private long deliveredAtCheck;
    /** The delivery count when the consumers were found stalled: no new hold until it moves. */
    private long stalledAt = -1;
    private MailboxTimer stallCheck;

    PublisherBrake(QueueSpec spec, EffectiveArguments args, QueueHost host, SerialExecutor mailbox,
                   ConsumerSet consumers) {
        this.mailbox = mailbox;
        this.host = host;
        this.args = args;
        this.holds = Boolean.TRUE.equals(spec.arguments().get(QueueSpec.HOLD_PUBLISHERS));
        this.backlog = new BacklogHold(() -> consumers.anyWithCredit(CONSUMERS_LOOKED_AT));
    }

    boolean congested() {
        return held || mailbox.backlog() > CONGESTED;
    }

    /** Runs {@code callback} (once, quickly, on a pool thread) when publishers may go on. */
    void whenRelieved(Runnable callback) {
        synchronized (this) {
            if (held) {
                if (waiting == null) {
                    waiting = new ArrayList<>();
                }
                waiting.add(callback);
                return;
            }
        }
        mailbox.whenBacklogAtMost(CONGESTED / 2, callback);
    }

    /** A message went to a consumer. */
    void delivered() {
        delivered++;
    }

    /**
     * After every change of the queue: {@code ready} messages, whether it has consumers. For the length-limit hold,
     * messages still in the mailbox count too: a publisher faster than the queue has posted them already.
     */
    void update(int ready, boolean consumers) {
        boolean mayStart = delivered != stalledAt;
        Long limit = holds ? args.now().maxLength() : null;
        if (limit == null || !consumers) {
            lengthHeld = false;
        } else {
            long coming = ready + (long) mailbox.backlog();
            lengthHeld = lengthHeld ? coming > limit / 4 : mayStart && coming >= Math.max(1, limit / 2);
        }
        boolean backlogHeld = (backlog.on() || mayStart) && backlog.update(ready);
        if (lengthHeld || backlogHeld) {
            if (!held) {
                hold();
            }
        } else if (held) {
            release();
        }
    }

    private void hold() {
        synchronized (this) {
            held = true;
        }
        deliveredAtCheck = delivered;
        if (stallCheck == null) {
            stallCheck = new MailboxTimer(host.timers(), mailbox, this::checkStall);
        }
        stallCheck.armAt(System.currentTimeMillis() + STALL_MILLIS);
    }

    private void checkStall() {
        if (!held) {
            return;
        }
        if (delivered == deliveredAtCheck) {
            stalledAt = delivered; // the consumers stopped taking: the queue fills (up to its limit) again
            lengthHeld = false;
            backlog.reset();
            release();
        } else {
            deliveredAtCheck = delivered;
            stallCheck.armAt(System.currentTimeMillis() + STALL_MILLIS);
        }
    }

    private void release() {
        List<Runnable> resume;
        synchronized (this) {
            held = false;
            resume = waiting;
            waiting = null;
        }
        if (stallCheck != null) {
            stallCheck.cancel();
        }
        if (resume != null) {
            resume.forEach(Runnable::run);
        }
    }
}
