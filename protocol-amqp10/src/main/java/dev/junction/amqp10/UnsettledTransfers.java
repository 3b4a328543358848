package dev.junction.amqp10;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.apache.qpid.proton.engine.Delivery;

/**
 * An outgoing link's transfers the client has not settled yet, in the order they were sent. A transfer is held
 * while its context is the engine's delivery; settling it clears the context ({@link #settled}), and settled
 * transfers leave the front of the queue as they come up, so the usual in-order settlement costs a counter and a
 * poll, no hashing of proton's deliveries (a hash set of them cost an identity hash and a table entry per message).
 * Settlement out of order leaves settled transfers behind the first unsettled one; they are swept out when they
 * outnumber the unsettled ones, so the queue never holds more than about twice what is unsettled. Event-loop only.
 */
final class UnsettledTransfers {
    /** Below this many entries no sweep is done: a short queue costs nothing to keep. */
    private static final int SWEEP_FLOOR = 64;

    private final ArrayDeque<Delivery> sent = new ArrayDeque<>();
    private int count;

    /** {@code transfer} was sent unsettled; its context is the engine's delivery. */
    void add(Delivery transfer) {
        sent.addLast(transfer);
        count++;
    }

    /** {@code transfer}, held here, is settled now: its context was cleared by the caller. */
    void settled() {
        if (count > 0) {
            count--; // none after drain: a late outcome of a transfer the link gave up at its end
        }
        while (!sent.isEmpty() && sent.peekFirst().getContext() == null) {
            sent.pollFirst();
        }
        if (sent.size() > SWEEP_FLOOR && sent.size() > 2 * count) {
            sent.removeIf(d -> d.getContext() == null);
        }
    }

    int size() {
        return count;
    }

    /** Runs {@code each} for every transfer still unsettled, in order, and forgets them all. */
    void drain(Consumer<Delivery> each) {
        for (Delivery d : sent) {
            if (d.getContext() != null) {
                each.accept(d);
            }
        }
        sent.clear();
        count = 0;
    }
}
