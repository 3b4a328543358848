package dev.junction.cluster.quorum;

import dev.junction.routing.quorum.QuorumLimits;
import dev.junction.routing.quorum.QuorumLog;
import dev.junction.routing.quorum.QuorumUsage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of the quorum queues (docs/cluster.md, "Quorum queues"): one Ratis server holding a fixed set of
 * quorum groups over every peer, each with a {@link QuorumStateMachine}, and one client per group that submits this
 * node's commands. A queue lives on the group its vhost and name hash to: groups are made at start, never per queue.
 *
 * <p>Every call returns a future that completes when the group has committed the command (a majority of members wrote
 * it to their logs) and the leader applied it; the client finds the leader and retries across leader changes. Nothing
 * here blocks: a publisher confirm completes from the client's thread, which the caller hands back to its connection's
 * own executor.
 */
public final class QuorumNode implements QuorumLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumNode.class);
    private static final int SUBMIT_RETRIES = 100;
    private static final TimeDuration SUBMIT_RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);
    /**
     * How long a publisher's confirm waits for its enqueue to commit before it is a nack: the client's retries, each
     * waiting out a request timeout on a peer that does not answer, left a minority node's publishers unanswered for
     * minutes. A nack promises nothing: the entry may still commit (at least once).
     */
    private static final long ENQUEUE_TIMEOUT_SECONDS = 10;

    private final Parameters transport;
    private final String nodeId;
    private final String bind;
    private final int port;
    private final Path dir;
    private final List<RaftGroup> groups;
    private final QuorumConsumers consumers;
    private final QuorumSettings settings;
    /** This process's consumer ids start with it, so a restarted node's old consumers are told from its new. */
    private final String incarnation;
    private final AtomicLong nextConsumer = new AtomicLong();
    /** Made by Ratis's threads as it starts each group, read by any. */
    private final Map<RaftGroupId, QuorumStateMachine> machines = new ConcurrentHashMap<>();
    /** Set once started; read by the expiry timer's thread too. */
    private volatile QuorumSubmitter submitter;
    /** Proposes the expiry of an idle queue's head when this node leads its group; this node dead-letters it. */
    private final ExpiryTimer expiry;
    /** Republishes pending dead letters, and settles the confirmed ones, when this node leads their group. */
    private final DeadLetterRelay deadLetters;
    private RaftServer server;
    private SilentNodeWatch watch;

    /**
     * {@code peers}: every member's id and Raft address (host:port), this node's included, the same on every node;
     * this node's server binds {@code bind}:{@code port}.
     */
    public QuorumNode(String nodeId, String bind, int port, Path dir, Map<String, String> peers,
                      QuorumSettings settings, QuorumConsumers consumers) {
        this(nodeId, bind, port, dir, peers, settings, consumers, new Parameters());
    }

    /** As above, on the node's Raft transport ({@code cluster.tls}: mutual TLS, see RaftTransport). */
    public QuorumNode(String nodeId, String bind, int port, Path dir, Map<String, String> peers,
                      QuorumSettings settings, QuorumConsumers consumers, Parameters transport) {
        this.transport = transport;
        this.nodeId = nodeId;
        this.bind = bind;
        this.port = port;
        this.dir = dir;
        this.settings = settings;
        this.consumers = consumers;
        this.incarnation = QuorumCommand.consumerId(nodeId, UUID.randomUUID().toString().substring(0, 8)) + '/';
        this.expiry = new ExpiryTimer(System::currentTimeMillis,
                (g, q) -> submitIn(g, QuorumCommand.expire(q, incarnation)));
        this.deadLetters = DeadLetterRelay.of(consumers, this::submitIn, incarnation, settings);
        this.groups = QuorumGroupView.groups(peers, settings.groups());
    }

    /** The pending dead letters of the groups this node leads ({@link DeadLetterRelay#pendingLed}). */
    public long deadLettersPending() {
        return deadLetters.pendingLed();
    }

    public void start() throws IOException {
        RaftProperties p = settings.properties(dir, bind, port);
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(nodeId))
                .setGroup(starting(groups.get(0)))
                .setProperties(p)
                .setParameters(transport)
                .setStateMachineRegistry(this::machine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        for (RaftGroup g : groups.subList(1, groups.size())) {
            if (running(g.getGroupId())) {
                continue; // recovered from this node's storage
            }
            RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
                    server.getId(), 0, starting(g)));
            if (!reply.isSuccess()) {
                throw new IOException("quorum group " + g.getGroupId() + " did not start", reply.getException());
            }
        }
        Map<RaftGroupId, RaftGroup> byId = new LinkedHashMap<>();
        groups.forEach(g -> byId.put(g.getGroupId(), g));
        submitter = new QuorumSubmitter(id -> RaftClient.newBuilder().setProperties(p).setParameters(transport)
                .setRaftGroup(byId.get(id))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(SUBMIT_RETRIES, SUBMIT_RETRY_SLEEP))
                .build());
        submitter.holdUntilProbed(byId.keySet());
        // Consumers this node had before a restart are gone with their connections: their messages go back.
        groups.forEach(g -> submit(g, QuorumCommand.detachNode(nodeId, incarnation, 0)));
        watch = new SilentNodeWatch(server, groups, settings.electionMax().toMillis() * 5, (g, node, before) ->
                submit(g, QuorumCommand.detachNode(node, "", before)));
        watch.start();
        LOG.info("quorum node {}: {} quorum groups (raft {}:{}, dir {})", nodeId, groups.size(), bind, port,
                dir.toAbsolutePath());
    }

    /** A group this node is not a member of yet (it joins a running cluster) starts empty, waiting for the leader. */
    private RaftGroup starting(RaftGroup g) {
        return settings.join() ? RaftGroup.valueOf(g.getGroupId()) : g;
    }

    private boolean running(RaftGroupId id) throws IOException {
        return StreamSupport.stream(server.getGroupIds().spliterator(), false).anyMatch(id::equals);
    }

    private QuorumStateMachine machine(RaftGroupId id) {
        return machines.computeIfAbsent(id,
                g -> new QuorumStateMachine(new LocalEffects(nodeId, incarnation, consumers, deadLetters.forGroup(g)),
                        expiry.forGroup(g)));
    }

    /** Submits from a timer or the dead-letter relay, which may run before the groups have started. */
    private CompletableFuture<Long> submitIn(RaftGroupId group, QuorumCommand c) {
        QuorumSubmitter s = submitter;
        return s == null ? CompletableFuture.failedFuture(new IllegalStateException("quorum groups still starting"))
                : s.submit(group, c);
    }

    /** The group a queue is placed on: by a hash of its vhost and name, the same on every node. */
    RaftGroup groupOf(String vhost, String name) {
        String key = QuorumCommand.queueKey(vhost, name);
        // String.hashCode is specified by the JDK, so every node computes the same placement.
        return groups.get(Math.floorMod(key.hashCode(), groups.size()));
    }

    /** Creates the queue's replicated state (idempotent): x-delivery-limit ({@code -1}: none), single active. */
    @Override
    public CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive) {
        return declare(vhost, name, deliveryLimit, singleActive, QuorumLimits.NONE);
    }

    /**
     * Creates the queue's replicated state with the length limits and TTL its replicas enforce, or replaces the
     * limits of the state there is (a policy changed them).
     */
    @Override
    public CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive,
            QuorumLimits limits) {
        QueueLimits l = new QueueLimits(limits.maxLength(), limits.maxBytes(), limits.rejectPublish(),
                limits.messageTtl(), limits.expires(), limits.deadLetterAtLeastOnce());
        // Names this node's run, which dead-letters what a lowered limit drops at once (QuorumQueueState#declared).
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.DECLARE, key(vhost, name), incarnation,
                deliveryLimit, l.encode(singleActive)));
    }

    /** Appends a message; completes with its id once a majority has it (then the publisher may be confirmed). */
    @Override
    public CompletableFuture<Long> enqueue(String vhost, String name, byte[] body) {
        return enqueue(vhost, name, body, body.length, 0);
    }

    /**
     * Appends a message of {@code size} body bytes published at {@code publishedAt}; completes with its id once a
     * majority has it, or {@link #REFUSED} when the queue's reject-publish limit refused it.
     */
    @Override
    public CompletableFuture<Long> enqueue(String vhost, String name, byte[] body, long size, long publishedAt) {
        return submit(vhost, name, QuorumCommand.enqueue(key(vhost, name), incarnation, body, size, publishedAt))
                .orTimeout(ENQUEUE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** A new consumer id of this node, for {@link #attach}. */
    @Override
    public String newConsumerId() {
        return incarnation + nextConsumer.incrementAndGet();
    }

    /** Attaches {@code consumer} (from {@link #newConsumerId}) with a prefetch ({@code 0}: unlimited). */
    @Override
    public CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch) {
        return attach(vhost, name, consumer, prefetch, 0, false);
    }

    /**
     * Attaches {@code consumer} with a prefetch and its x-priority, which every replica orders consumers by, exclusive
     * or not, which every replica judges alike ({@link #IN_EXCLUSIVE_USE}: refused).
     */
    @Override
    public CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch, int priority,
            boolean exclusive) {
        return submit(vhost, name, QuorumCommand.attach(key(vhost, name), consumer, prefetch, priority, exclusive));
    }

    /**
     * The queue's consumers and messages ({@code counted}: held, or ready only) at this request's place in its
     * group's log (a command that changes nothing, {@link QuorumCommand.Op#USAGE}); null when the group holds no
     * such queue. Bounded in time as a get is: a node cut off from the majority must answer its client.
     */
    @Override
    public CompletableFuture<QuorumUsage> usage(String vhost, String name, QuorumUsage.Counted counted) {
        return submit(vhost, name, new QuorumCommand(QuorumCommand.Op.USAGE, key(vhost, name), incarnation,
                counted.ordinal(), new long[0], new byte[0])).orTimeout(ENQUEUE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .thenApply(answer -> answer < 0 ? null : new QuorumUsage(QuorumCommand.usageConsumers(answer),
                        QuorumCommand.usageMessages(answer)));
    }

    /**
     * basic.get for {@code getter} (from {@link #newConsumerId}, one per get): completes with the message's id, whose
     * body this node's replica hands over when it applies the checkout, or 0 when nothing was ready. Bounded in time
     * as an enqueue is: a node cut off from the group's majority must answer its client.
     */
    @Override
    public CompletableFuture<Long> checkout(String vhost, String name, String getter, boolean settled) {
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, key(vhost, name), getter,
                settled ? 1 : 0)).orTimeout(ENQUEUE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public CompletableFuture<Long> settle(String vhost, String name, String consumer, long... ids) {
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.SETTLE, key(vhost, name), consumer, 0,
                ids));
    }

    /** Rejects without requeue: dead-lettered by the queue's strategy, at least once or at most once. */
    @Override
    public CompletableFuture<Long> reject(String vhost, String name, String consumer, long... ids) {
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.REJECT, key(vhost, name), consumer, 0,
                ids));
    }

    /** Returns the messages to the queue (requeue), counting a delivery each against x-delivery-limit. */
    @Override
    public CompletableFuture<Long> giveBack(String vhost, String name, String consumer, long... ids) {
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.RETURN, key(vhost, name), consumer, 0,
                ids));
    }

    /** Detaches the consumer; with {@code returnUnsettled} (its channel closed) its messages go back too. */
    @Override
    public CompletableFuture<Long> detach(String vhost, String name, String consumer, boolean returnUnsettled) {
        return submit(vhost, name, QuorumCommand.consumer(QuorumCommand.Op.DETACH, key(vhost, name), consumer,
                returnUnsettled ? 1 : 0));
    }

    /** Completes with the number of ready messages dropped. */
    @Override
    public CompletableFuture<Long> purge(String vhost, String name) {
        return submit(vhost, name, QuorumCommand.of(QuorumCommand.Op.PURGE, key(vhost, name)));
    }

    @Override
    public CompletableFuture<Long> delete(String vhost, String name) {
        return submit(vhost, name, QuorumCommand.of(QuorumCommand.Op.DELETE, key(vhost, name)));
    }

    /**
     * Detaches every consumer of node {@code node} in every group and returns their messages: for a node that is
     * gone for good (an operator's decision; nothing detects it automatically yet).
     */
    public CompletableFuture<Void> forgetNode(String node) {
        return CompletableFuture.allOf(groups.stream().map(g -> submit(g, QuorumCommand.detachNode(node, "", 0)))
                .toArray(CompletableFuture[]::new));
    }

    /** The ready messages of the queue on this node's replica (as applied here so far), or -1. */
    @Override
    public int readyCount(String vhost, String name) {
        QuorumStateMachine m = machines.get(groupOf(vhost, name).getGroupId());
        return m == null ? -1 : m.readyCount(key(vhost, name));
    }

    /** The consumers of the queue on every node, as this node's replica has applied them so far, or -1. */
    @Override
    public int consumerCount(String vhost, String name) {
        QuorumStateMachine m = machines.get(groupOf(vhost, name).getGroupId());
        return m == null ? -1 : m.consumerCount(key(vhost, name));
    }

    /** The queue's checked-out messages on this node's replica (as applied here so far), or -1. */
    @Override
    public int unsettledCount(String vhost, String name) {
        QuorumStateMachine m = machines.get(groupOf(vhost, name).getGroupId());
        return m == null ? -1 : m.unsettledCount(key(vhost, name));
    }

    /** The queue's dead letters waiting for their target's confirm on this node's replica, or -1. */
    @Override
    public int deadLetterCount(String vhost, String name) {
        QuorumStateMachine m = machines.get(groupOf(vhost, name).getGroupId());
        return m == null ? -1 : m.deadLetterCount(key(vhost, name));
    }

    /** The id of the queue's group leader as this node knows it. */
    public Optional<String> leaderOf(String vhost, String name) {
        return view().leaderOf(groupOf(vhost, name));
    }

    /** This node's member of each quorum group, in group order (status, metrics, membership changes). */
    List<RaftServer.Division> divisions() throws IOException {
        return view().divisions();
    }

    /** Every quorum group as this node sees it now, in placement order ({@link #groupIndexOf}). */
    public List<QuorumGroupStatus> groupStatus() {
        return view().status();
    }

    private QuorumGroupView view() {
        return new QuorumGroupView(server, groups);
    }

    /** The index in {@link #groupStatus} of the group the queue is placed on. */
    public int groupIndexOf(String vhost, String name) {
        return groups.indexOf(groupOf(vhost, name));
    }

    private static String key(String vhost, String name) {
        return QuorumCommand.queueKey(vhost, name);
    }

    private CompletableFuture<Long> submit(String vhost, String name, QuorumCommand c) {
        return submit(groupOf(vhost, name), c);
    }

    private CompletableFuture<Long> submit(RaftGroup group, QuorumCommand c) {
        return submitter.submit(group.getGroupId(), c);
    }

    @Override
    public boolean congested() {
        return submitter.congested();
    }

    @Override
    public void whenRelieved(Runnable callback) {
        submitter.whenRelieved(callback);
    }

    @Override
    public void close() {
        closeQuietly(expiry);
        closeQuietly(deadLetters);
        closeQuietly(watch);
        closeQuietly(submitter);
        closeQuietly(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing a quorum raft part failed", e);
        }
    }
}
