package dev.junction.cluster.quorum;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Sends this node's commands to the quorum groups without ever blocking the caller. Ratis's ordered async client
 * waits for a permit when too many of its requests are outstanding, and the callers are Netty event loops (a
 * publish, an ack) and the groups' own apply threads (a message for a consumer that has gone), neither of which
 * may wait. So every send runs on one thread of its own, in the order asked (a node's declaration reaches the log
 * before its first enqueue), and only that thread ever waits.
 *
 * <p>The commands waiting here and in flight are counted: past {@value #CONGESTED_AT} the node's quorum queues
 * say they are congested, which stops reading publishers' sockets as a classic queue's full mailbox does, until
 * the count is down to {@value #RELIEVED_AT}.
 */
final class QuorumSubmitter implements AutoCloseable {
    static final int CONGESTED_AT = 5000;
    static final int RELIEVED_AT = 2500;

    private final Map<RaftGroupId, RaftClient> clients;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "junction-quorum-submit");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> relief = new ConcurrentLinkedQueue<>();

    QuorumSubmitter(Map<RaftGroupId, RaftClient> clients) {
        this.clients = clients;
    }

    /** Completes with the number the group's state machine answered, once the group has committed and applied. */
    CompletableFuture<Long> submit(RaftGroupId group, QuorumCommand c) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        byte[] data = c.encode();
        pending.incrementAndGet();
        try {
            thread.execute(() -> send(group, c.op(), data, result));
        } catch (RejectedExecutionException closed) {
            done();
            result.completeExceptionally(new IllegalStateException("this node's quorum groups are closed"));
        }
        return result;
    }

    private void send(RaftGroupId group, QuorumCommand.Op op, byte[] data, CompletableFuture<Long> result) {
        try {
            clients.get(group).async().send(Message.valueOf(ByteString.copyFrom(data))).whenComplete((reply, e) -> {
                done();
                if (e != null) {
                    result.completeExceptionally(e);
                } else if (!reply.isSuccess()) {
                    result.completeExceptionally(new IllegalStateException("quorum group refused " + op + ": "
                            + reply.getException()));
                } else {
                    result.complete(Long.parseLong(reply.getMessage().getContent().toStringUtf8()));
                }
            });
        } catch (RuntimeException e) {
            done();
            result.completeExceptionally(e);
        }
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

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
