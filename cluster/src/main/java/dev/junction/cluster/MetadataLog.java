package dev.junction.cluster;

import dev.junction.routing.DefaultQueueType;
import dev.junction.routing.DefinitionLog;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.storage.Definition;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's way into the metadata group: entries submitted through its Raft client (which finds the leader and
 * retries across leader changes), changes that a client waits for ({@link #commit}: answered with this node's own
 * result of applying the entry, matched by this run's origin and a request number carried in the entry), and
 * linearizable reads ({@link #readBarrier}: Raft's read index, served by this node once it has applied up to it).
 */
final class MetadataLog implements DefinitionLog {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataLog.class);
    /**
     * A committed entry this node never applies (a snapshot installed over it while the client waited) fails its
     * client after this long instead of holding it; the client's own retries end after about 10 s.
     */
    private static final long ANSWER_TIMEOUT_SECONDS = 30;

    private final RaftPeerId self;
    private final Supplier<Optional<String>> refusal;
    /** This run of this node: entries of an earlier run, replayed at start, answer nobody. */
    private final String origin;
    private final AtomicLong requests = new AtomicLong();
    private final Map<Long, CompletableFuture<Object>> waiting = new ConcurrentHashMap<>();
    private volatile RaftClient client;
    private final DefaultQueueType defaultQueueType;

    MetadataLog(String nodeId, Supplier<Optional<String>> refusal, DefaultQueueType defaultQueueType) {
        this.self = RaftPeerId.valueOf(nodeId);
        this.refusal = refusal;
        this.defaultQueueType = defaultQueueType;
        this.origin = nodeId + "/" + UUID.randomUUID();
    }

    /** {@code cluster.default_queue_type}: what a durable queue declared without a type becomes. */
    @Override
    public DefaultQueueType defaultQueueType() {
        return defaultQueueType;
    }

    /** Once the node's client is built: from then on entries can be submitted. */
    void connect(RaftClient raftClient) {
        this.client = raftClient;
    }

    /** This run of this node, as its entries name it. */
    String origin() {
        return origin;
    }

    /** Submits an entry's bytes (a {@link ClientIdCommand}'s); completes when the leader has committed it. */
    CompletableFuture<Void> submit(byte[] entry) {
        return client.async().send(Message.valueOf(ByteString.copyFrom(entry))).thenAccept(MetadataLog::requireSuccess);
    }

    /** Submits an entry; completes when the leader has committed and applied it. */
    CompletableFuture<Void> submit(MetadataCommand command) {
        return submit(command.encode())
                .whenComplete((ok, failed) -> {
                    if (failed != null) {
                        LOG.warn("metadata log refused {} of {} '{}' in vhost '{}': {}", command.op(),
                                command.definition().kind(), command.definition().name(),
                                command.definition().vhost(), failed.toString());
                    }
                });
    }

    @Override
    public CompletableFuture<Object> commit(Definition definition, boolean delete) {
        long request = requests.incrementAndGet();
        CompletableFuture<Object> answer = new CompletableFuture<>();
        waiting.put(request, answer);
        MetadataCommand command = delete
                ? MetadataCommand.delete(definition.kind(), definition.vhost(), definition.name())
                : MetadataCommand.put(definition);
        submit(command.from(origin, request)).whenComplete((ok, failed) -> {
            if (failed != null) {
                answer.completeExceptionally(failed);
            }
        });
        return answer.orTimeout(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((result, failed) -> waiting.remove(request))
                .exceptionallyCompose(failed -> CompletableFuture.failedFuture(notCommitted(definition, delete,
                        failed)));
    }

    /**
     * Raft's read index, asked of this node. It goes unordered, never through the client's ordered requests: Ratis
     * (3.2) numbers a client's ordered requests to the leader and those to one named server in two sequences, but
     * sends both on the one stream it keeps to a server, and the server orders that stream by one sequence. When
     * this node is the leader, a read numbered 1 behind writes numbered up to n was never processed and held the
     * answers to every later write on the stream, until the client timed the request out and opened a new stream
     * (each time {@code cluster.request_timeout_ms}); a passive declaration waited 18 s that way, and a client id's
     * claim 10 s. An unordered request has a stream of its own and no sequence, which a barrier does not need.
     */
    @Override
    public CompletableFuture<Void> readBarrier() {
        Optional<String> why = refusal.get();
        if (why.isPresent()) {
            return CompletableFuture.failedFuture(new BrokerException(ErrorKind.INTERNAL_ERROR,
                    "cannot read the cluster's definitions now: " + why.get()));
        }
        return client.async().sendReadOnlyUnordered(Message.EMPTY, self)
                .thenAccept(MetadataLog::requireSuccess)
                .exceptionallyCompose(failed -> CompletableFuture.failedFuture(new BrokerException(
                        ErrorKind.INTERNAL_ERROR, "cannot read the cluster's definitions now: " + cause(failed))));
    }

    @Override
    public Optional<String> refusal() {
        return refusal.get();
    }

    /**
     * On the apply thread: makes the entry's change and answers the client that waits for it on this node, if one
     * does; a change the engine refuses is logged on every other node.
     */
    void apply(MetadataCommand command, Supplier<Object> change) {
        CompletableFuture<Object> answer = origin.equals(command.origin()) ? waiting.remove(command.request()) : null;
        Object result;
        try {
            result = change.get();
        } catch (RuntimeException e) {
            if (answer != null) {
                answer.completeExceptionally(e);
            } else {
                refusedHere(command, e);
            }
            return;
        }
        if (answer != null) {
            answer.complete(result);
        }
    }

    /** A committed entry this node's engine refused (a conflicting declaration, a limit): logged, not fatal. */
    static void refusedHere(MetadataCommand command, RuntimeException e) {
        Definition d = command.definition();
        LOG.warn("replicated {} of {} '{}' in vhost '{}' refused on this node: {}", command.op(), d.kind(), d.name(),
                d.vhost(), e.getMessage());
    }

    private static BrokerException notCommitted(Definition d, boolean delete, Throwable failed) {
        Throwable cause = cause(failed);
        if (cause instanceof BrokerException refused) {
            return refused; // the engine's own refusal, as a single node gives it
        }
        return new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot " + (delete ? "delete" : "declare") + " durable "
                + d.kind().name().toLowerCase(java.util.Locale.ROOT) + " '" + d.name() + "' in vhost '" + d.vhost()
                + "': the cluster's metadata log did not commit it (" + cause + "); try again");
    }

    private static Throwable cause(Throwable failed) {
        return failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed;
    }

    private static void requireSuccess(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new IllegalStateException(String.valueOf(reply.getException()));
        }
    }
}
