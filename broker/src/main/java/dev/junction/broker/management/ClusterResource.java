package dev.junction.broker.management;

import dev.junction.cluster.ClusterMember;
import dev.junction.config.ClusterPeer;
import dev.junction.cluster.ClusterMembership;
import dev.junction.cluster.ClusterStatus;
import dev.junction.cluster.GroupStatus;
import dev.junction.cluster.MembershipRefused;
import dev.junction.cluster.quorum.QuorumGroupStatus;
import dev.junction.cluster.quorum.QuorumNode;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.quorum.QuorumArguments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/cluster} (docs/cluster.md). {@code GET}: the members of the metadata group, its leader, the leader
 * changes this node has seen, each member's commit index, applied index and lag as this node knows them, and the
 * same for each quorum group; the same numbers are the {@code junction_cluster_*} meters. {@code POST
 * /api/cluster/members/{id}} (body {@code {"address": "host:port", "quorum_address": "host:port"}}) adds a member
 * and {@code DELETE /api/cluster/members/{id}} removes one, administrator tag only; they answer once every group
 * has committed its new configuration. {@code POST /api/cluster/rebalance} (administrator tag) spreads the quorum
 * groups' leaders over the members in contact and answers each group's leader before and after.
 * {@code GET /api/cluster/queues/{vhost}/{name}}: the quorum group a quorum queue
 * is placed on, its leader as this node knows it and its members (RabbitMQ lists a quorum queue's {@code leader} and
 * {@code members}; {@code GET /api/queues} has them too, {@link QuorumPlacement}). A broker that runs alone answers
 * 404.
 */
final class ClusterResource {

    private final BrokerControl control;
    private final RoutingEngine engine;

    ClusterResource(BrokerControl control, RoutingEngine engine) {
        this.control = control;
        this.engine = engine;
    }

    ApiResponse route(ApiRequest r, Caller caller) {
        if (r.size() == 1) {
            if (!r.is("GET") && !r.is("HEAD")) {
                throw ApiError.methodNotAllowed();
            }
            return status(caller);
        }
        if (r.size() == 4 && r.segment(1).equals("queues")) {
            if (!r.is("GET") && !r.is("HEAD")) {
                throw ApiError.methodNotAllowed();
            }
            return queue(caller, r.segment(2), r.segment(3));
        }
        if (r.size() == 2 && r.segment(1).equals("rebalance")) {
            if (!r.is("POST")) {
                throw ApiError.methodNotAllowed();
            }
            caller.requireAdministrator();
            return rebalance();
        }
        if (r.size() != 3 || !r.segment(1).equals("members")) {
            throw ApiError.notFound();
        }
        String id = r.segment(2);
        if (r.is("POST") || r.is("PUT")) {
            caller.requireAdministrator();
            Map<String, Object> body = ManagementApi.parseObject(r.body());
            String address = Values.required(body, "address");
            String quorumAddress = Values.string(body, "quorum_address", defaultQuorumAddress(address));
            return change(() -> membership().add(id, address, quorumAddress));
        }
        if (r.is("DELETE")) {
            caller.requireAdministrator();
            return change(() -> membership().remove(id));
        }
        throw ApiError.methodNotAllowed();
    }

    private ClusterMembership membership() {
        return control.clusterMembership().orElseThrow(ClusterResource::alone);
    }

    /** The Raft port plus {@link ClusterPeer#QUORUM_PORT_OFFSET} on the same host, as a peer without {@code quorum_address} in the config file. */
    private static String defaultQuorumAddress(String address) {
        int colon = address.lastIndexOf(':');
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (colon <= 0 || port < 1 || port > 65_535 - ClusterPeer.QUORUM_PORT_OFFSET) {
                throw new NumberFormatException();
            }
            return address.substring(0, colon) + ":" + (port + ClusterPeer.QUORUM_PORT_OFFSET);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("address '" + address + "' is not host:port");
        }
    }

    private interface MembershipCall {
        ClusterMembership.Change run() throws MembershipRefused;
    }

    private static ApiResponse change(MembershipCall call) {
        try {
            ClusterMembership.Change c = call.run();
            return ApiResponse.ok(Map.of("member", c.member(), "groups", c.groups()));
        } catch (MembershipRefused e) {
            throw refused(e);
        }
    }

    /** Spreads the quorum groups' leaders; answers each group's leader before and after. */
    private ApiResponse rebalance() {
        try {
            ClusterMembership.Rebalance done = membership().rebalance();
            return ApiResponse.ok(Map.of("before", done.before(), "after", done.after()));
        } catch (MembershipRefused e) {
            throw refused(e);
        }
    }

    /** A refused membership change or rebalance, as the API's status codes say it. */
    private static ApiError refused(MembershipRefused e) {
        return switch (e.kind()) {
            case NOT_FOUND -> new ApiError(404, "not_found", e.getMessage());
            case CONFLICT -> new ApiError(409, "conflict", e.getMessage());
            case UNAVAILABLE -> new ApiError(503, "unavailable", e.getMessage());
            case FAILED -> new ApiError(500, "internal_error", e.getMessage());
        };
    }

    private static ApiError alone() {
        return new ApiError(404, "not_found", "this broker is not in a cluster");
    }

    ApiResponse status(Caller caller) {
        caller.requireMonitoring();
        ClusterStatus s = control.clusterStatus().orElseThrow(ClusterResource::alone);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", s.node());
        out.put("group", s.group());
        out.put("role", s.role());
        out.put("leader", s.leader());
        out.put("term", s.term());
        out.put("leader_changes", s.leaderChanges());
        out.put("members", members(s.members()));
        List<Map<String, Object>> groups = new ArrayList<>();
        for (GroupStatus g : s.quorumGroups()) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("name", g.name());
            group.put("group", groups.size());
            group.put("id", g.id());
            group.put("role", g.role());
            group.put("leader", g.leader());
            group.put("term", g.term());
            group.put("leader_changes", g.leaderChanges());
            group.put("commit_index", g.self().map(ClusterMember::commitIndex).orElse(-1L));
            group.put("applied_index", g.self().map(ClusterMember::appliedIndex).orElse(-1L));
            group.put("members", members(g.members()));
            groups.add(group);
        }
        out.put("quorum_groups", groups);
        return ApiResponse.ok(out);
    }

    /**
     * {@code /api/cluster/queues/{vhost}/{name}}: a quorum queue's group, its leader and the group's members; 404 for
     * any other queue.
     */
    ApiResponse queue(Caller caller, String vhost, String name) {
        caller.requireMonitoring();
        QuorumNode quorum = control.quorum().orElseThrow(ClusterResource::alone);
        boolean isQuorum = engine.vhost(vhost).flatMap(v -> v.queue(name))
                .map(q -> QuorumArguments.requested(q.spec().arguments())).orElse(false);
        if (!isQuorum) {
            throw ApiError.notFound();
        }
        int index = quorum.groupIndexOf(vhost, name);
        QuorumGroupStatus g = quorum.groupStatus().get(index);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vhost", vhost);
        out.put("name", name);
        out.put("group", g.group());
        out.put("leader", g.leader());
        out.put("members", control.clusterStatus().map(ClusterStatus::quorumGroups).filter(gs -> index < gs.size())
                .map(gs -> gs.get(index).members().stream().map(ClusterMember::id).toList()).orElse(List.of()));
        return ApiResponse.ok(out);
    }

    private static List<Map<String, Object>> members(List<ClusterMember> list) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (ClusterMember m : list) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("id", m.id());
            member.put("address", m.address());
            member.put("leader", m.leader());
            member.put("self", m.self());
            member.put("commit_index", m.commitIndex());
            member.put("applied_index", m.appliedIndex());
            member.put("lag", m.lag());
            members.add(member);
        }
        return members;
    }
}
