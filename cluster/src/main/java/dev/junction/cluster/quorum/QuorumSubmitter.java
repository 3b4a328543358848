package dev.junction.cluster.quorum;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this node's commands to the quorum groups without ever blocking the caller, in batches. The callers are
 * Netty event loops (a publish, an ack) and the groups' own apply threads (a message for a consumer that has gone),
 * neither of which may wait, so every send runs on one thread of its own, in the order asked (a node's declaration
 * reaches the log before its first enqueue), and only that thread ever waits.
 *
 * <p>A leader takes a client's requests one at a time, each an RPC, a log entry and a reply of its own: at one
 * command per request that hand-over, not the disk or the network, set a node's rate (every command waited for
 * the ones before it to be taken in). So each group has at most {@value #IN_FLIGHT} request in flight, and the
 * commands asked meanwhile go together in the next, one {@link QuorumBatch} entry: a lone command goes at once,
 * and under load a request carries what arrived while the previous one committed.
 *
 * <p>Ratis's client gives up for good on a peer that does not know the group yet (a node still starting its
 * groups answers {@code GroupMismatchException}): it fails every request in flight and closes its window, so each
 * later request fails too. Such a client is replaced by a new one and the failed commands are sent again, after
 * {@value #RESEND_DELAY_MS} ms, at most {@value #RESENDS} times, before any command asked after them (so an
 * enqueue is not overtaken): the group is held and probed with its earliest command, as it is at start, before a
 * peer may still be adding its groups. A command that was in fact committed before the failure is then in the log
 * twice, and applied once: each command carries this submitter's origin and its sequence number, and each request
 * the floor below which every command of the origin has been answered, for the groups' {@link ResendFilter}.
 *
 * <p>A consumer's settles that wait together become one command ({@link PendingCommand#absorb}), as
 * {@code basic.ack} with {@code multiple} is: one per message had been half the commands of a queue with a consumer.
 *
 * <p>The commands waiting here and in flight are counted: past {@value #CONGESTED_AT} the node's quorum queues
 * say they are congested, which stops reading publishers' sockets as a classic queue's full mailbox does, until
 * the count is down to {@value #RELIEVED_AT}.
 */
final class QuorumSubmitter implements AutoCloseable {
    static final int CONGESTED_AT = 5000;
    static final int RELIEVED_AT = 2500;
    static final int RESENDS = 50;
    static final long RESEND_DELAY_MS = 100;
    /**
     * Requests of one group in flight at once; the commands asked meanwhile wait for the next. One: with two, a
     * loaded cluster wrote about twice the log entries for the same messages, each an AppendEntries, a write, a force
     * and an apply on every member and a reply, which cost CPU, not latency (docs/benchmarks.md, "CPU per message").
     */
    static final int IN_FLIGHT = 1;
    /** A batch takes no more commands past this many bytes (a larger command goes alone). */
    static final int BATCH_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(QuorumSubmitter.class);

    private final Function<RaftGroupId, RaftClient> newClient;
    /** The client of each group. The submitting thread only. */
    private final Map<RaftGroupId, RaftClient> clients = new HashMap<>();
    /** Each group's commands waiting to be sent. The submitting thread only. */
    private final Map<RaftGroupId, Lane> lanes = new HashMap<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-quorum-submit");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> relief = new ConcurrentLinkedQueue<>();

    QuorumSubmitter(Function<RaftGroupId, RaftClient> newClient) {
        this.newClient = newClient;
    }

    /**
     * One group's commands in the order asked, and its requests in flight. A group not known to work through its
     * client (at start, and after the client gave up) is held: one command (the earliest) is sent alone as a
     * probe, and when it is answered the rest follow in their order, so no command overtakes one asked before it.
     */
    private static final class Lane {
        final ArrayDeque<PendingCommand> waiting = new ArrayDeque<>();
        /** The batches in flight, in the order sent. */
        final List<List<PendingCommand>> sent = new ArrayList<>();
        int inFlight;
        boolean held;
        /** A probe is in flight or scheduled. */
        boolean probing;

        /** Puts commands sent before back among the waiting, in the order they were asked. */
        void putBack(List<PendingCommand> again) {
            List<PendingCommand> all = new ArrayList<>(waiting);
            all.addAll(again);
            all.sort(Comparator.comparingLong(PendingCommand::seq));
            waiting.clear();
            waiting.addAll(all);
        }

        /** The lowest sequence number not yet answered among the waiting, those in flight and {@code batch}. */
        long floor(List<PendingCommand> batch) {
            long floor = Long.MAX_VALUE;
            for (PendingCommand p : batch) {
                floor = Math.min(floor, p.seq());
            }
            for (List<PendingCommand> b : sent) {
                for (PendingCommand p : b) {
                    floor = Math.min(floor, p.seq());
                }
            }
            PendingCommand first = waiting.peek(); // kept in order (see putBack): the first is the lowest
            return first == null ? floor : Math.min(floor, first.seq());
        }
    }

    /** The next command's order, and its sequence number for the groups' {@link ResendFilter}. Submitting thread. */
    private long nextSeq;
    /** This submitter among every node's, for as long as it runs: its commands' sequence numbers are its own. */
    private final long origin = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);

    /** A command asked for, on its way to the submitting thread. */
    private record Asked(RaftGroupId group, QuorumCommand command, CompletableFuture<Long> result) {
    }

    /** The commands asked, taken by the submitting thread in bursts ({@link Inbox}). */
    private final Inbox<Asked> inbox = new Inbox<>(thread, this::take, this::pumpTaken);
    /** The groups the current burst brought commands for, pumped after it. The submitting thread only. */
    private final Set<RaftGroupId> taken = new LinkedHashSet<>();

    /** Completes with the number the group's state machine answered, once the group has committed and applied. */
    CompletableFuture<Long> submit(RaftGroupId group, QuorumCommand c) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        pending.incrementAndGet();
        if (!inbox.add(new Asked(group, c, result))) {
            done();
            result.completeExceptionally(new IllegalStateException("this node's quorum groups are closed"));
        }
        return result;
    }

    /** Puts an asked command last in its group's lane (or into the settle waiting there). Submitting thread. */
    private void take(Asked a) {
        Lane lane = lane(a.group());
        PendingCommand last = lane.waiting.peekLast();
        if (last == null || !last.absorb(a.command(), a.result())) {
            lane.waiting.add(new PendingCommand(nextSeq++, a.command(), a.result()));
        }
        taken.add(a.group());
    }

    private void pumpTaken() {
        taken.forEach(this::pump);
        taken.clear();
    }

    /** Until a group's first command has gone through, the group is held: see {@link Lane}. */
    void holdUntilProbed(Iterable<RaftGroupId> groups) {
        thread.execute(() -> groups.forEach(g -> lane(g).held = true));
    }

    private Lane lane(RaftGroupId group) {
        return lanes.computeIfAbsent(group, g -> new Lane());
    }

    /** Sends what the group may send now: a probe when it is held, else batches while there is room. */
    private void pump(RaftGroupId group) {
        Lane lane = lane(group);
        if (lane.held) {
            if (!lane.probing && !lane.waiting.isEmpty()) {
                lane.probing = true;
                probe(group);
            }
            return;
        }
        while (lane.inFlight < IN_FLIGHT && headSize(lane) >= 0) {
            List<PendingCommand> batch = new ArrayList<>();
            int bytes = 0;
            int size;
            while (batch.size() < QuorumBatch.MAX_COMMANDS && (size = headSize(lane)) >= 0
                    && (batch.isEmpty() || bytes + size <= BATCH_BYTES)) {
                bytes += size;
                batch.add(lane.waiting.poll());
            }
            send(group, batch, false);
        }
    }

    /**
     * The encoded size of the lane's first waiting command, or -1 when none waits. Commands are encoded here, on
     * this thread, as they are batched (a waiting settle may still gather others); one that cannot be is failed.
     */
    private int headSize(Lane lane) {
        for (PendingCommand p = lane.waiting.peek(); p != null; p = lane.waiting.peek()) {
            try {
                return p.data().length;
            } catch (RuntimeException e) {
                lane.waiting.poll();
                for (int n = p.askers(); n > 0; n--) {
                    done();
                }
                p.fail(e);
            }
        }
        return -1;
    }

    /** Sends the earliest waiting command of a held group alone. */
    private void probe(RaftGroupId group) {
        Lane lane = lane(group);
        PendingCommand first = lane.waiting.poll();
        if (first == null) {
            lane.probing = false;
            return;
        }
        send(group, List.of(first), true);
    }

    private void send(RaftGroupId group, List<PendingCommand> batch, boolean probe) {
        Lane lane = lane(group);
        lane.inFlight++;
        long floor = lane.floor(batch);
        lane.sent.add(batch);
        RaftClient client = clients.computeIfAbsent(group, newClient);
        try {
            long[] seqs = batch.stream().mapToLong(PendingCommand::seq).toArray();
            // The node's clock travels in the entry: the queues judge x-message-ttl by it, alike on every replica.
            byte[] data = QuorumBatch.encode(origin, floor, System.currentTimeMillis(), seqs,
                    batch.stream().map(PendingCommand::data).toList());
            client.async().send(Message.valueOf(ByteString.copyFrom(data))).whenComplete((reply, e) -> {
                int resends = batch.stream().mapToInt(PendingCommand::resends).max().orElse(0);
                if (e != null && broken(e) && resends < RESENDS && resendLater(group, batch, client, probe)) {
                    return;
                }
                after(() -> answered(group, batch, probe));
                complete(batch, reply, e);
            });
        } catch (RuntimeException e) {
            answered(group, batch, probe);
            complete(batch, null, e);
        }
    }

    /** A request of the group was answered (or failed): room for the next; a probe's answer releases the group. */
    private void answered(RaftGroupId group, List<PendingCommand> batch, boolean probe) {
        Lane lane = lane(group);
        lane.inFlight--;
        lane.sent.remove(batch);
        if (probe) {
            lane.probing = false;
            lane.held = false;
        }
        pump(group);
    }

    private void complete(List<PendingCommand> batch, RaftClientReply reply, Throwable e) {
        long[] results = null;
        Throwable failed = e;
        if (failed == null && reply.isSuccess()) {
            try {
                results = QuorumBatch.results(reply.getMessage().getContent().toStringUtf8());
            } catch (RuntimeException unreadable) {
                failed = unreadable;
            }
            if (results != null && results.length != batch.size()) {
                failed = new IllegalStateException("quorum group answered " + results.length + " of "
                        + batch.size() + " commands");
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            PendingCommand p = batch.get(i);
            for (int n = p.askers(); n > 0; n--) {
                done();
            }
            if (failed != null) {
                p.fail(failed);
            } else if (!reply.isSuccess()) {
                p.fail(new IllegalStateException("quorum group refused " + p.op() + ": " + reply.getException()));
            } else {
                p.complete(results[i]);
            }
        }
    }

    /** Runs {@code task} on the submitting thread; false when it is closed. */
    private boolean after(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    /** Whether the client failed for good (see the class comment), rather than the group refusing the command. */
    private static boolean broken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GroupMismatchException || t instanceof AlreadyClosedException) {
                return true;
            }
        }
        return false;
    }

    /** Holds the group again with the batch's commands in it, replaces the client, and probes after a pause. */
    private boolean resendLater(RaftGroupId group, List<PendingCommand> batch, RaftClient failed, boolean wasProbe) {
        return after(() -> {
            Lane lane = lane(group);
            lane.inFlight--;
            lane.sent.remove(batch);
            lane.putBack(batch.stream().map(PendingCommand::again).toList());
            lane.held = true;
            if (clients.get(group) == failed) {
                clients.remove(group);
                closeQuietly(failed);
                LOG.debug("quorum group {}: client replaced after it gave up", group);
            }
            if (wasProbe || !lane.probing) {
                lane.probing = true;
                try {
                    thread.schedule(() -> probe(group), RESEND_DELAY_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // closing: what is held is dropped with the thread
                }
            }
        });
    }

    boolean congested() {
        return pending.get() > CONGESTED_AT;
    }

    /** Runs {@code callback} (at once, or on the thread that completes a command) once not congested. */
    void whenRelieved(Runnable callback) {
        if (!congested()) {
            callback.run();
            return;
        }
        relief.add(callback);
        if (!congested()) {
            runRelief(); // the count fell between the check and the add
        }
    }

    private void done() {
        if (pending.decrementAndGet() <= RELIEVED_AT && !relief.isEmpty()) {
            runRelief();
        }
    }

    private void runRelief() {
        for (Runnable r = relief.poll(); r != null; r = relief.poll()) {
            r.run();
        }
    }

    private static void closeQuietly(RaftClient c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing a quorum client", e);
        }
    }

    /** Stops sending and closes the clients (on the submitting thread, which owns them). */
    @Override
    public void close() {
        try {
            thread.submit(() -> {
                clients.values().forEach(QuorumSubmitter::closeQuietly);
                clients.clear();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing the quorum clients", e);
        }
        thread.shutdownNow();
    }
}
