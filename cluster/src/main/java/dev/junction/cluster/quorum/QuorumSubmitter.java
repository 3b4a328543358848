package dev.junction.cluster.quorum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this node's commands to the quorum groups without ever blocking the caller. Ratis's ordered async client
 * waits for a permit when too many of its requests are outstanding, and the callers are Netty event loops (a
 * publish, an ack) and the groups' own apply threads (a message for a consumer that has gone), neither of which
 * may wait. So every send runs on one thread of its own, in the order asked (a node's declaration reaches the log
 * before its first enqueue), and only that thread ever waits.
 *
 * <p>Ratis's client gives up for good on a peer that does not know the group yet (a node still starting its
 * groups answers {@code GroupMismatchException}): it fails every request in flight and closes its window, so each
 * later request fails too. Such a client is replaced by a new one and the failed commands are sent again, after
 * {@value #RESEND_DELAY_MS} ms, at most {@value #RESENDS} times, before any command asked after them (so an
 * enqueue is not overtaken): the group is held and probed with its earliest command, as it is at start, before a
 * peer may still be adding its groups. A command that was in fact committed before the failure is then in the log
 * twice (at least once, as a publisher's own retry would be).
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
    private static final Logger LOG = LoggerFactory.getLogger(QuorumSubmitter.class);

    private final Function<RaftGroupId, RaftClient> newClient;
    /** The client of each group. The submitting thread only. */
    private final Map<RaftGroupId, RaftClient> clients = new HashMap<>();
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

    /** A command to send: {@code seq} is the order it was asked in, kept when it is sent again. */
    private record Pending(long seq, RaftGroupId group, QuorumCommand.Op op, byte[] data,
                           CompletableFuture<Long> result, int resends) {
        Pending again() {
            return new Pending(seq, group, op, data, result, resends + 1);
        }
    }

    /** The next command's order. The submitting thread only. */
    private long nextSeq;
    /**
     * Groups not known to work through their client (at start, and after the client gave up), with the commands
     * waiting for them. One command (the earliest) is sent as a probe; when it succeeds the rest follow in their
     * order, so no command overtakes one asked before it. The submitting thread only.
     */
    private final Map<RaftGroupId, List<Pending>> held = new HashMap<>();
    /** Groups with a probe in flight or scheduled. The submitting thread only. */
    private final Set<RaftGroupId> probing = new HashSet<>();

    /** Completes with the number the group's state machine answered, once the group has committed and applied. */
    CompletableFuture<Long> submit(RaftGroupId group, QuorumCommand c) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        byte[] data = c.encode();
        pending.incrementAndGet();
        try {
            thread.execute(() -> dispatch(new Pending(nextSeq++, group, c.op(), data, result, 0)));
        } catch (RejectedExecutionException closed) {
            done();
            result.completeExceptionally(new IllegalStateException("this node's quorum groups are closed"));
        }
        return result;
    }

    /** Until a group's first command has gone through, the group is held: see {@link #held}. */
    void holdUntilProbed(Iterable<RaftGroupId> groups) {
        thread.execute(() -> groups.forEach(g -> held.putIfAbsent(g, new ArrayList<>())));
    }

    private void dispatch(Pending p) {
        List<Pending> waiting = held.get(p.group());
        if (waiting == null) {
            send(p, false);
            return;
        }
        waiting.add(p);
        if (probing.add(p.group())) {
            probe(p.group());
        }
    }

    /** Sends the earliest held command of the group alone. */
    private void probe(RaftGroupId group) {
        List<Pending> waiting = held.get(group);
        if (waiting == null || waiting.isEmpty()) {
            probing.remove(group);
            return;
        }
        waiting.sort(Comparator.comparingLong(Pending::seq));
        send(waiting.remove(0), true);
    }

    /** The probe went through: everything held follows, in order. */
    private void release(RaftGroupId group) {
        probing.remove(group);
        List<Pending> waiting = held.remove(group);
        if (waiting != null) {
            waiting.sort(Comparator.comparingLong(Pending::seq));
            waiting.forEach(p -> send(p, false));
        }
    }

    private void send(Pending p, boolean probe) {
        RaftClient client = clients.computeIfAbsent(p.group(), newClient);
        try {
            client.async().send(Message.valueOf(ByteString.copyFrom(p.data()))).whenComplete((reply, e) -> {
                if (e != null && broken(e) && p.resends() < RESENDS && resendLater(p, client, probe)) {
                    return;
                }
                if (probe) {
                    after(() -> release(p.group()));
                }
                done();
                if (e != null) {
                    p.result().completeExceptionally(e);
                } else if (!reply.isSuccess()) {
                    p.result().completeExceptionally(new IllegalStateException("quorum group refused " + p.op()
                            + ": " + reply.getException()));
                } else {
                    p.result().complete(Long.parseLong(reply.getMessage().getContent().toStringUtf8()));
                }
            });
        } catch (RuntimeException e) {
            if (probe) {
                after(() -> release(p.group()));
            }
            done();
            p.result().completeExceptionally(e);
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

    /** Holds the group again with {@code p} in it, replaces the client, and probes after a pause. */
    private boolean resendLater(Pending p, RaftClient failed, boolean wasProbe) {
        return after(() -> {
            held.computeIfAbsent(p.group(), g -> new ArrayList<>()).add(p.again());
            if (clients.get(p.group()) == failed) {
                clients.remove(p.group());
                closeQuietly(failed);
                LOG.debug("quorum group {}: client replaced after it gave up", p.group());
            }
            if (wasProbe || probing.add(p.group())) {
                try {
                    thread.schedule(() -> probe(p.group()), RESEND_DELAY_MS, TimeUnit.MILLISECONDS);
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
