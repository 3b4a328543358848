package dev.junction.amqp;

import dev.junction.routing.api.HandoverBatch;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publisher confirms of one channel. Sequence numbers are handed out in publish order; results arrive in any
 * order (a store write may finish after later transient publishes). Confirms go out in sequence order as runs:
 * a run of acks becomes one basic.ack with multiple=true, a run of nacks one basic.nack.
 *
 * <p>Results known at once are {@link #finish}ed on the event loop. Results that arrive on other threads (a queue,
 * the store's writer completing a group of writes) are {@link #arrived collected} and handled by one event-loop task
 * for all that arrived meanwhile, so a burst of them costs one task and goes out as one basic.ack with multiple=true
 * instead of one frame each, as RabbitMQ confirms. The results of the open publishes are one byte each in a window
 * from the lowest unconfirmed sequence number on. Event-loop only, except {@link #arrived}.
 */
final class Confirms {
    interface Emitter {
        void emit(long deliveryTag, boolean multiple, boolean ack);
    }

    private static final byte OPEN = 0;
    private static final byte ACK = 1;
    private static final byte NACK = 2;

    private final Executor eventLoop;
    private final Runnable handleArrived;
    /** Results of sequence numbers from {@link #lowestOpen} on, from index {@link #start}. */
    private byte[] results = new byte[64];
    private int start;
    private long next = 1;
    private long lowestOpen = 1;
    /** Results from other threads not yet handled: the sequence number, negated for a nack. */
    private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable wake;

    /** {@code handleArrived}: runs on the event loop when results arrived; it calls {@link #takeArrived}. */
    Confirms(Executor eventLoop, Runnable handleArrived) {
        this.eventLoop = eventLoop;
        this.handleArrived = handleArrived;
        this.wake = () -> this.eventLoop.execute(this::runArrived);
    }

    long nextSequence() {
        return next++;
    }

    /** Any thread: the result of publish {@code seq} is known; handled on the event loop with the others arrived. */
    void arrived(long seq, boolean ack) {
        arrivals.add(ack ? seq : -seq);
        if (scheduled.compareAndSet(false, true)) {
            HandoverBatch.wake(wake);
        }
    }

    private void runArrived() {
        scheduled.set(false);
        handleArrived.run();
    }

    /** Records every result that arrived so far; then {@link #emitDue}. */
    void takeArrived() {
        Long s;
        while ((s = arrivals.poll()) != null) {
            finish(Math.abs(s), s > 0);
        }
    }

    /** Records the result of one publish; {@link #emitDue} sends what is due. */
    void finish(long seq, boolean ack) {
        int i = start + (int) (seq - lowestOpen);
        if (i >= results.length) {
            makeRoom((int) (seq - lowestOpen) + 1);
            i = (int) (seq - lowestOpen);
        }
        results[i] = ack ? ACK : NACK;
    }

    /** Emits every confirm that is now due, in runs. */
    void emitDue(Emitter out) {
        long runEnd = -1;
        boolean runAck = true;
        int runLength = 0;
        while (lowestOpen < next && start < results.length && results[start] != OPEN) {
            boolean result = results[start] == ACK;
            results[start] = OPEN;
            if (runLength > 0 && result != runAck) {
                out.emit(runEnd, runLength > 1, runAck);
                runLength = 0;
            }
            runAck = result;
            runEnd = lowestOpen;
            runLength++;
            lowestOpen++;
            start++;
        }
        if (lowestOpen == next || start == results.length) {
            makeRoom(0);
        }
        if (runLength > 0) {
            out.emit(runEnd, runLength > 1, runAck);
        }
    }

    /** Moves the window to the front of the array, growing it to hold at least {@code slots}. */
    private void makeRoom(int slots) {
        int open = (int) Math.min(next - lowestOpen, results.length - start);
        if (slots > results.length) {
            byte[] grown = new byte[Math.max(slots, results.length * 2)];
            System.arraycopy(results, start, grown, 0, open);
            results = grown;
        } else if (start > 0) {
            System.arraycopy(results, start, results, 0, open);
            Arrays.fill(results, open, Math.min(results.length, start + open), OPEN); // what moved, cleared
        }
        start = 0;
    }
}
