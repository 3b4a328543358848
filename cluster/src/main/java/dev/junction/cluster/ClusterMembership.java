package dev.junction.cluster;

import dev.junction.cluster.MembershipRefused.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds and removes members of the cluster (docs/cluster.md, "Membership changes"): the Raft configuration of the
 * metadata group and of every quorum group, changed with Ratis's {@code setConfiguration}, one group after the
 * other. A new member is first brought up to date by the leader (its log, or a snapshot), then the configuration
 * changes through joint consensus, so nothing is committed without a majority of both the old and the new members.
 * Each group is changed only if it needs it, so a change that failed part way is completed by asking again.
 * Calls block until every group has committed its new configuration; they are made on the management API's
 * worker, never on an event loop.
 */
public final class ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
    private static final String METADATA = "metadata";
    /** How long a new configuration may take to commit (a new member catching up included) before the refusal. */
    private static final TimeDuration CHANGE_TIMEOUT = TimeDuration.valueOf(60, TimeUnit.SECONDS);
    /** How long a leadership transfer may take: the new leader catching up and one election. */
    private static final long TRANSFER_TIMEOUT_MS = 10_000;

    private final Supplier<RaftServer.Division> metadata;
    private final Supplier<QuorumGroups> quorum;
    /** A follower the leader has not heard from for this long is taken to be down. */
    private final long silentAfterMillis;
    /** The node's Raft transport (mutual TLS with {@code cluster.tls}), which the admin clients use too. */
    private final Parameters transport;

    ClusterMembership(Supplier<RaftServer.Division> metadata, Supplier<QuorumGroups> quorum,
                      long silentAfterMillis, Parameters transport) {
        this.metadata = metadata;
        this.quorum = quorum;
        this.silentAfterMillis = silentAfterMillis;
        this.transport = transport;
    }

    /** What a change did: for each group ({@code metadata}, {@code quorum-0} ...), "added", "removed" or "unchanged". */
    public record Change(String member, Map<String, String> groups) {
    }

    /**
     * Adds node {@code id} whose metadata server is at {@code address} and quorum server at {@code quorumAddress}
     * (both host:port) to every group. The node must be running already, started with {@code cluster.join: true}.
     */
    public Change add(String id, String address, String quorumAddress) throws MembershipRefused {
        requireLeader();
        Map<String, String> addresses = new LinkedHashMap<>();
        List<Target> targets = targets();
        for (Target t : targets) {
            addresses.put(t.name(), t.name().equals(METADATA) ? address : quorumAddress);
        }
        if (targets.stream().allMatch(t -> t.has(id))) {
            throw new MembershipRefused(Kind.CONFLICT, "'" + id + "' is already a member of every group");
        }
        for (Target t : targets) {
            for (RaftPeer p : t.peers()) {
                if (!p.getId().toString().equals(id) && p.getAddress().equals(addresses.get(t.name()))) {
                    throw new MembershipRefused(Kind.CONFLICT, "member '" + p.getId() + "' of group " + t.name()
                            + " already has the address " + p.getAddress());
                }
            }
        }
        Map<String, String> done = new LinkedHashMap<>();
        for (Target t : targets) {
            if (t.has(id)) {
                done.put(t.name(), "unchanged");
                continue;
            }
            RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(addresses.get(t.name())).build();
            change(t, SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(List.of(peer))
                    .setMode(SetConfigurationRequest.Mode.ADD).build(), "add '" + id + "' to", done);
            done.put(t.name(), "added");
        }
        LOG.info("cluster member {} added ({}, quorum {}): {}", id, address, quorumAddress, done);
        return new Change(id, done);
    }

    /**
     * Removes node {@code id} from every group and detaches its quorum queue consumers (their messages go back to
     * the queues). Refused for a node that is not a member, the last member, and a removal after which a majority
     * of the members left would not be in contact with the leader.
     */
    public Change remove(String id) throws MembershipRefused {
        requireLeader();
        List<Target> targets = targets();
        if (targets.stream().noneMatch(t -> t.has(id))) {
            throw new MembershipRefused(Kind.NOT_FOUND, "'" + id + "' is not a member of the cluster");
        }
        Target meta = targets.get(0);
        List<String> members = meta.peers().stream().map(p -> p.getId().toString()).toList();
        var unsafe = RemovalCheck.refusal(members, reachable(meta), id);
        if (unsafe.isPresent()) {
            throw new MembershipRefused(Kind.CONFLICT, unsafe.get());
        }
        Map<String, String> done = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!t.has(id)) {
                done.put(t.name(), "unchanged");
                continue;
            }
            List<RaftPeer> left = t.peers().stream().filter(p -> !p.getId().toString().equals(id)).toList();
            // Compare-and-set: refused if the members changed since this node read them, not undone.
            change(t, SetConfigurationRequest.Arguments.newBuilder().setServersInNewConf(left)
                    .setServersInCurrentConf(t.peers()).setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build(),
                    "remove '" + id + "' from", done);
            done.put(t.name(), "removed");
        }
        QuorumGroups q = quorum.get();
        if (q != null) {
            try {
                q.forgetNode(id).get(CHANGE_TIMEOUT.toLong(TimeUnit.SECONDS), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MembershipRefused(Kind.FAILED, "interrupted while detaching the consumers of '" + id + "'");
            } catch (ExecutionException | TimeoutException e) {
                throw new MembershipRefused(Kind.FAILED, "'" + id + "' was removed from every group, but detaching "
                        + "its quorum queue consumers failed (" + e + "); their messages wait until it is asked again");
            }
        }
        LOG.info("cluster member {} removed: {}", id, done);
        return new Change(id, done);
    }

    /** What a rebalance did: each quorum group's leader before and after (or why it could not be moved). */
    public record Rebalance(Map<String, String> before, Map<String, String> after) {
    }

    /**
     * Moves the leadership of quorum groups so that the members in contact with the metadata leader lead about as
     * many each ({@link LeaderPlan}); the metadata group is left alone (it takes few writes). Each move is Ratis's
     * leadership transfer: the leader waits until the new one has its log, then lets it win an election. A move
     * that fails leaves that group's leader where it was and is reported in {@code after}; the others still move.
     */
    public Rebalance rebalance() throws MembershipRefused {
        requireLeader();
        List<Target> targets = targets();
        Set<String> up = reachable(targets.get(0));
        Map<String, String> before = new LinkedHashMap<>();
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, Target> byName = new LinkedHashMap<>();
        for (Target t : targets.subList(1, targets.size())) {
            var leader = t.division().getInfo().getLeaderId();
            before.put(t.name(), leader == null ? "" : leader.toString());
            members.put(t.name(), t.peers().stream().map(p -> p.getId().toString()).toList());
            byName.put(t.name(), t);
        }
        Map<String, String> after = new LinkedHashMap<>(before);
        for (Map.Entry<String, String> move : LeaderPlan.moves(before, members, up).entrySet()) {
            Target t = byName.get(move.getKey());
            try (RaftClient client = client(t)) {
                RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(move.getValue()),
                        TRANSFER_TIMEOUT_MS);
                after.put(t.name(), reply.isSuccess() ? move.getValue()
                        : before.get(t.name()) + " (not moved: " + reply.getException() + ")");
            } catch (IOException e) {
                after.put(t.name(), before.get(t.name()) + " (not moved: " + e.getMessage() + ")");
            }
        }
        LOG.info("quorum group leaders rebalanced over {}: before {}, after {}", up, before, after);
        return new Rebalance(before, after);
    }

    /** A group to change: its name, this node's member of it, and its current members as this node knows them. */
    private record Target(String name, RaftServer.Division division) {
        List<RaftPeer> peers() {
            return List.copyOf(division.getRaftConf().getCurrentPeers());
        }

        boolean has(String id) {
            return peers().stream().anyMatch(p -> p.getId().toString().equals(id));
        }
    }

    private List<Target> targets() throws MembershipRefused {
        List<Target> targets = new ArrayList<>();
        targets.add(new Target(METADATA, metadata.get()));
        QuorumGroups q = quorum.get();
        if (q != null) {
            try {
                q.groups().forEach(g -> targets.add(new Target(g.name(), g.division())));
            } catch (IOException e) {
                throw new MembershipRefused(Kind.FAILED, "the quorum groups are not running on this node: " + e);
            }
        }
        return targets;
    }

    private void requireLeader() throws MembershipRefused {
        DivisionInfo info = metadata.get().getInfo();
        if (info.getLeaderId() == null || !info.isAlive()) {
            throw new MembershipRefused(Kind.UNAVAILABLE, "this node knows no leader of the metadata group (it is "
                    + "not in contact with a majority of the members); ask a node that does");
        }
    }

    /** The members in contact with the metadata group's leader: the leader and the followers heard from lately. */
    private Set<String> reachable(Target meta) throws MembershipRefused {
        DivisionInfo info = meta.division().getInfo();
        RoleInfoProto role;
        if (info.isLeader()) {
            role = info.getRoleInfoProto();
        } else {
            try (RaftClient client = client(meta)) {
                role = client.getGroupManagementApi(info.getLeaderId()).info(meta.division().getGroup().getGroupId())
                        .getRoleInfoProto();
            } catch (IOException e) {
                throw new MembershipRefused(Kind.UNAVAILABLE, "cannot ask the metadata leader " + info.getLeaderId()
                        + " which members it is in contact with: " + e.getMessage());
            }
        }
        Set<String> up = new HashSet<>();
        up.add(role.getSelf().getId().toStringUtf8());
        for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
            if (f.getLastRpcElapsedTimeMs() < silentAfterMillis) {
                up.add(f.getId().getId().toStringUtf8());
            }
        }
        return up;
    }

    private void change(Target t, SetConfigurationRequest.Arguments arguments, String what, Map<String, String> done)
            throws MembershipRefused {
        RaftClientReply reply;
        try (RaftClient client = client(t)) {
            reply = client.admin().setConfiguration(arguments);
        } catch (IOException e) {
            throw failed(t, what, e.getMessage(), done);
        }
        if (!reply.isSuccess()) {
            throw failed(t, what, String.valueOf(reply.getException()), done);
        }
    }

    private static MembershipRefused failed(Target t, String what, String why, Map<String, String> done) {
        return new MembershipRefused(Kind.FAILED, "could not " + what + " group " + t.name() + ": " + why
                + (done.isEmpty() ? "" : "; already changed: " + done + ", so ask again to complete the change"));
    }

    /** A client of the group for one admin call, which waits as long as a new member may take to catch up. */
    private RaftClient client(Target t) {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, CHANGE_TIMEOUT);
        return RaftClient.newBuilder().setProperties(p).setParameters(transport)
                .setRaftGroup(RaftGroup.valueOf(t.division().getGroup().getGroupId(), t.peers()))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                        TimeDuration.valueOf(500, TimeUnit.MILLISECONDS)))
                .build();
    }
}
