package dev.junction.cluster;

import dev.junction.config.ClusterConfig;
import dev.junction.config.ClusterPeer;
import dev.junction.routing.ReplicatedDefinitions;
import dev.junction.routing.RoutingEngine;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.MessageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as a member of a cluster (docs/cluster.md): one Ratis server in the metadata group, whose members
 * are the configured peers, and one client that submits this node's declarations to the group. Built before the
 * engine, which gets {@link #store} in place of the local store; {@link #start} once the engine has recovered.
 */
public final class ClusterNode implements AutoCloseable {

    /** The metadata group's id, the same on every node: derived from a fixed name, not configured. */
    static final RaftGroupId METADATA_GROUP =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("junction-metadata".getBytes(StandardCharsets.UTF_8)));

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** A submission is retried (leader changes, elections) for at most about this long, then refused. */
    private static final int SUBMIT_RETRIES = 100;
    /** Metadata changes in flight at once before a submitter would wait (see {@link #properties}). */
    private static final int OUTSTANDING_REQUESTS = 65_536;
    private static final TimeDuration SUBMIT_RETRY_SLEEP = TimeDuration.valueOf(100, TimeUnit.MILLISECONDS);

    private final ClusterConfig config;
    private final long endedSessionsKeptMillis;
    private final ReplicatedDefinitionStore definitions;
    private final ReplicatedRetainedStore retained;
    private final MessageStore store;
    private final RaftGroup group;
    private RaftServer server;
    private RaftClient client;
    private MetadataStateMachine machine;
    private ClusterMetrics metrics;
    private ClientIdOwners clientIds;
    private ReplicatedExactlyOnceIds exactlyOnce;
    private volatile QuorumGroups quorum;
    private volatile LeaderWatch leaders;
    private Parameters transport;

    public ClusterNode(ClusterConfig config, MessageStore local) {
        this(config, local, TimeUnit.DAYS.toSeconds(1));
    }

    /**
     * {@code endedSessionsKeptSeconds}: how long the client-id registry keeps the tombstone of an MQTT session that
     * ended after it moved between nodes, the broker's {@code mqtt.max_session_expiry_seconds} ({@link EndedSessions}).
     */
    public ClusterNode(ClusterConfig config, MessageStore local, long endedSessionsKeptSeconds) {
        this.config = config;
        this.endedSessionsKeptMillis = TimeUnit.SECONDS.toMillis(endedSessionsKeptSeconds);
        this.definitions = new ReplicatedDefinitionStore(local.definitions());
        this.retained = new ReplicatedRetainedStore(local.retained());
        this.store = new ClusterStore(local, definitions, retained);
        List<RaftPeer> peers = new ArrayList<>();
        for (ClusterPeer p : config.peers()) {
            peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build());
        }
        this.group = RaftGroup.valueOf(METADATA_GROUP, peers);
    }

    /** The store to build the engine on: the local store, with definitions replicated once {@link #start}ed. */
    public MessageStore store() {
        return store;
    }

    /** Where a replicated user goes: the broker's user directory, which keeps the users' encoding. */
    public interface UserSink {
        void apply(Definition user, boolean delete);
    }

    /**
     * Starts the Raft server (which replays this node's log into {@code engine} and {@code users}, then follows
     * the group) and the client, and from then on sends the engine's replicated definitions to the group.
     */
    public void start(RoutingEngine engine, UserSink users) throws IOException {
        RaftProperties properties = properties();
        transport = RaftTransport.parameters(config);
        MetadataLog log = new MetadataLog(config.nodeId(), this::refusal,
                dev.junction.routing.DefaultQueueType.valueOf(config.defaultQueueType().name()));
        clientIds = new ClientIdOwners(log.origin(), log::submit, this::refusal, log::readBarrier,
                new EndedSessions(endedSessionsKeptMillis, EndedSessions.MAX_TOMBSTONES, System::currentTimeMillis));
        exactlyOnce = new ReplicatedExactlyOnceIds(log.origin(), log::submit, this::refusal, clientIds::heldByOther);
        ReplicatedDefinitionStore.EngineSide applier = (d, delete) -> {
            if (d.kind() == DefinitionKind.USER) {
                users.apply(d, delete);
                return null;
            }
            return ReplicatedDefinitions.apply(engine, d, delete);
        };
        machine = new MetadataStateMachine(new MetadataStateMachine.Target() {
            @Override
            public void apply(MetadataCommand command) {
                log.apply(command, () -> definitions.apply(command, applier));
            }

            @Override
            public List<Definition> snapshot() {
                return definitions.replicated();
            }

            @Override
            public void restore(List<Definition> snapshot, boolean exactly) {
                definitions.restore(snapshot, exactly, applier);
            }
        }, clientIds, retained, exactlyOnce);
        server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                // A joining node starts outside the group's configuration (Ratis takes an empty one for that), so it
                // waits for the leader and stands for no election until an operator adds it; a node that has run
                // recovers the configuration from its Raft directory instead.
                .setGroup(config.join() ? RaftGroup.valueOf(METADATA_GROUP) : group)
                .setProperties(properties)
                .setParameters(transport)
                .setStateMachine(machine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server.start();
        client = RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(transport)
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(SUBMIT_RETRIES, SUBMIT_RETRY_SLEEP))
                .build();
        log.connect(client);
        definitions.replicateThrough(log::submit, this::refusal);
        retained.replicateThrough(log::submit);
        // From now on the engine API's declarations take effect when the log commits them (docs/cluster.md).
        engine.commitDefinitionsThrough(log);
        metrics = new ClusterMetrics(engine.registry(), config.nodeId());
        metrics.group("metadata", () -> GroupView.of("metadata", division(), machine.leaderChanges()),
                config.peers().stream().map(ClusterPeer::id).toList());
        if (config.allowInsecure() && config.tls().isEmpty()) {
            LOG.warn("the Raft port {}:{} has neither encryption nor authentication (cluster.allow_insecure): "
                    + "only the cluster's own private network may reach it", config.bind(), config.port());
        }
        LOG.info("cluster node {} in the metadata group of {} (raft {}:{}, dir {})", config.nodeId(),
                config.peers().stream().map(ClusterPeer::id).toList(), config.bind(), config.port(),
                config.dir().toAbsolutePath());
    }

    /**
     * Who holds each client id across the cluster, through the metadata log (docs/cluster.md, "Client ids and
     * takeover"); for the protocols, once {@link #start}ed.
     */
    public dev.junction.routing.api.ClientIdClaims clientIds() {
        if (clientIds == null) {
            throw new IllegalStateException("the cluster node has not started");
        }
        return clientIds;
    }

    /**
     * The sessions' exactly-once exchanges in progress, through the metadata log (docs/cluster.md, "MQTT
     * sessions"); for the protocols, once {@link #start}ed.
     */
    public dev.junction.routing.api.ExactlyOnceIds exactlyOnce() {
        if (exactlyOnce == null) {
            throw new IllegalStateException("the cluster node has not started");
        }
        return exactlyOnce;
    }

    private RaftProperties properties() {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.dir().toFile()));
        GrpcConfigKeys.Server.setHost(p, config.bind());
        GrpcConfigKeys.Server.setPort(p, config.port());
        TimeDuration min = TimeDuration.valueOf(config.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS);
        TimeDuration max = TimeDuration.valueOf(config.electionTimeoutMax().toMillis(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
        // Log compaction: a snapshot every so many entries, after which the log before it is purged (a node
        // that falls further behind gets the snapshot installed by the leader).
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotInterval());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // Ratis purges only once this many entries have passed since the last purge (1024 by default).
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(config.snapshotInterval(), 1024));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.logSegmentBytes()));
        // The client takes a permit per request in flight and waits for one when none is left, on the caller's
        // thread, which may be an event loop (a declaration, an MQTT session's queue): Ratis's default of 100 is
        // reached by a burst of MQTT clients connecting; this many never is by metadata changes.
        RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, OUTSTANDING_REQUESTS);
        // How long a request waits for its answer before the client sends it again (cluster.request_timeout_ms).
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(config.requestTimeout().toMillis(),
                TimeUnit.MILLISECONDS));
        // Passive declarations read through Raft's read index, on the node asked (MetadataLog#readBarrier).
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        return p;
    }

    /**
     * Gives the node the quorum queues' groups, once they have started: {@link #status} and the metrics show them,
     * and membership changes change them too.
     */
    public void attach(QuorumGroups groups) throws IOException {
        leaders = new LeaderWatch(groups, metrics::refresh);
        leaders.start();
        quorum = groups; // after the watch: status() reads both once this is set
        for (QuorumGroups.Group g : groups.groups()) {
            RaftServer.Division d = g.division();
            metrics.group(g.name(), () -> GroupView.of(g.name(), d, leaders.changes(g.name())),
                    config.peers().stream().map(ClusterPeer::id).toList());
        }
        metrics.deadLettersPending(groups::deadLettersPending);
    }

    /** Adding and removing members (ctl, management API); changes the quorum groups too once attached. */
    public ClusterMembership membership() {
        // A follower the leader has not heard from for a few election timeouts is taken to be down.
        return new ClusterMembership(this::division, () -> quorum, config.electionTimeoutMax().toMillis() * 3,
                transport);
    }

    /** Refused while this node knows no leader: it is on the minority side of a partition or alone. */
    private Optional<String> refusal() {
        RaftServer.Division division = division();
        DivisionInfo info = division.getInfo();
        if (info.getLeaderId() != null && info.isAlive()) {
            return Optional.empty();
        }
        return Optional.of("cluster node '" + config.nodeId() + "' has no leader for the metadata group (it is "
                + "not in contact with a majority of " + division.getRaftConf().getCurrentPeers().size()
                + " nodes); try again on another node or once it has rejoined");
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(METADATA_GROUP);
        } catch (IOException e) {
            throw new IllegalStateException("the metadata group is not running on this node", e);
        }
    }

    /** Members, leaders, commit and applied indexes and lag of every group, as this node knows them now. */
    public ClusterStatus status() {
        GroupStatus m = GroupView.of("metadata", division(), machine.leaderChanges());
        List<GroupStatus> quorumGroups = new ArrayList<>();
        QuorumGroups q = quorum;
        if (q != null) {
            try {
                for (QuorumGroups.Group g : q.groups()) {
                    quorumGroups.add(GroupView.of(g.name(), g.division(), leaders.changes(g.name())));
                }
            } catch (IOException e) {
                LOG.debug("the quorum groups are not running", e);
            }
        }
        return new ClusterStatus(config.nodeId(), m.id(), m.role(), m.leader(), m.term(), m.members(),
                m.leaderChanges(), quorumGroups);
    }

    @Override
    public void close() {
        if (leaders != null) {
            leaders.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        closeQuietly(client, "client");
        closeQuietly(server, "server");
    }

    private void closeQuietly(AutoCloseable c, String what) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing the cluster's raft {} failed", what, e);
        }
    }
}
