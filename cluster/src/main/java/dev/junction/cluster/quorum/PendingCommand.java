package dev.junction.cluster.quorum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A command waiting in a {@link QuorumSubmitter}'s lane, or sent: its sequence number ({@code seq}, the order it was
 * asked in, kept when it is sent again), the command, and the futures of everyone who asked for it.
 *
 * <p>A consumer that acknowledges each message on its own (PerfTest's default, and most clients') asks one settle
 * per message, and each was a command of its own in the log: its own header (queue, consumer, sequence number),
 * its own apply, expiry check and resend record on every member. While a settle still waits to be sent, a later
 * settle of the same consumer on the same queue joins it ({@link #absorb}), as one {@code basic.ack} with
 * {@code multiple} would: the ids are settled in the order asked, by one command, and each asker is answered
 * with its number. Nothing else joins: an enqueue, a return or a reject keeps its own place in the order.
 *
 * <p>Encoded once, when first needed for a batch; from then on it is what goes to the log, and nothing more joins.
 * Submitting thread only.
 */
final class PendingCommand {
    /** The most ids one settle gathers: keeps a command, and its apply, small. */
    static final int MAX_SETTLE_IDS = 1024;

    private final long seq;
    private QuorumCommand command;
    /** A settle's ids as gathered so far (the first {@code idCount}); null until a second settle joins. */
    private long[] ids;
    private int idCount;
    private byte[] data;
    private final List<CompletableFuture<Long>> results;
    private final int resends;

    PendingCommand(long seq, QuorumCommand command, CompletableFuture<Long> result) {
        this(seq, command, null, new ArrayList<>(List.of(result)), 0);
    }

    private PendingCommand(long seq, QuorumCommand command, byte[] data, List<CompletableFuture<Long>> results,
                           int resends) {
        this.seq = seq;
        this.command = command;
        this.data = data;
        this.results = results;
        this.resends = resends;
    }

    long seq() {
        return seq;
    }

    QuorumCommand.Op op() {
        return command.op();
    }

    int resends() {
        return resends;
    }

    /** The same command, sent again once more. */
    PendingCommand again() {
        return new PendingCommand(seq, command, data(), results, resends + 1);
    }

    /** The encoded command; from the first call on, nothing more joins it. */
    byte[] data() {
        if (data == null) {
            if (ids != null) {
                command = QuorumCommand.consumer(QuorumCommand.Op.SETTLE, command.queue(), command.consumer(),
                        command.number(), Arrays.copyOf(ids, idCount));
                ids = null;
            }
            data = command.encode();
        }
        return data;
    }

    /**
     * Takes {@code c}, asked after this command, into it when both settle for the same consumer on the same queue
     * and this one is not encoded yet; false (and nothing changed) otherwise.
     */
    boolean absorb(QuorumCommand c, CompletableFuture<Long> result) {
        if (data != null || c.op() != QuorumCommand.Op.SETTLE || command.op() != QuorumCommand.Op.SETTLE
                || !command.queue().equals(c.queue()) || !command.consumer().equals(c.consumer())) {
            return false;
        }
        if (ids == null) {
            ids = Arrays.copyOf(command.ids(), Math.max(16, 2 * command.ids().length));
            idCount = command.ids().length;
        }
        if (idCount + c.ids().length > MAX_SETTLE_IDS) {
            return false;
        }
        if (idCount + c.ids().length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(2 * ids.length, idCount + c.ids().length));
        }
        System.arraycopy(c.ids(), 0, ids, idCount, c.ids().length);
        idCount += c.ids().length;
        results.add(result);
        return true;
    }

    /** How many asked for this command; each is answered once. */
    int askers() {
        return results.size();
    }

    void complete(long result) {
        results.forEach(r -> r.complete(result));
    }

    void fail(Throwable e) {
        results.forEach(r -> r.completeExceptionally(e));
    }
}
