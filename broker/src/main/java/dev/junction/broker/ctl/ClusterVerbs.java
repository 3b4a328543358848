package dev.junction.broker.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cluster_status}: the groups as the node asked sees them, from {@code GET /api/cluster};
 * {@code add_cluster_node} and {@code forget_cluster_node}: membership changes through
 * {@code POST}/{@code DELETE /api/cluster/members/{id}} (docs/cluster.md, "Membership changes");
 * {@code rebalance_quorum_leaders} through {@code POST /api/cluster/rebalance}.
 */
final class ClusterVerbs {
    private static final List<Column> MEMBER_COLUMNS = List.of(Column.of("id"), Column.of("address"),
            Column.of("leader"), Column.of("commit_index"), Column.of("applied_index"), Column.of("lag"));
    private static final List<Column> GROUP_COLUMNS = List.of(Column.of("group"), Column.of("role"),
            Column.of("leader"), Column.of("term"), Column.of("commit_index"), Column.of("applied_index"),
            Column.of("leader_changes"));

    private ClusterVerbs() {
    }

    /**
     * Prints this node, its role, the leader and term of the metadata group, then one row per member: whether it
     * leads, the commit index this node last heard from it, its applied index (this node's only; -1 for the others)
     * and its lag behind the leader's commit index (-1: not known yet); then one row per quorum group: this node's
     * role in it, its leader and term, this node's commit and applied indexes, and the leader changes seen. A
     * broker that runs alone answers 404.
     */
    static void status(Call call) throws CtlException {
        JsonNode status = call.api().get("/api/cluster", "a cluster (this broker runs alone: no cluster section)");
        if (call.out().json()) {
            call.out().document(status);
            return;
        }
        Output out = call.out();
        out.line("Cluster status of node " + status.path("node").asText("?") + " at "
                + call.api().endpoint().base());
        out.line("role\t" + status.path("role").asText());
        String leader = status.path("leader").asText();
        out.line("leader\t" + (leader.isEmpty() ? "none (no majority in contact)" : leader));
        out.line("term\t" + status.path("term").asText());
        out.line("leader_changes\t" + status.path("leader_changes").asText());
        out.table(MEMBER_COLUMNS, status.path("members"));
        if (status.path("quorum_groups").size() > 0) {
            out.line("");
            out.table(GROUP_COLUMNS, groupRows(status.path("quorum_groups")));
        }
    }

    private static JsonNode groupRows(JsonNode groups) {
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        for (JsonNode g : groups) {
            ObjectNode row = rows.addObject();
            row.put("group", g.path("name").asText());
            row.put("role", g.path("role").asText());
            String leader = g.path("leader").asText();
            row.put("leader", leader.isEmpty() ? "none" : leader);
            row.set("term", g.path("term"));
            for (JsonNode m : g.path("members")) {
                if (m.path("self").asBoolean()) {
                    row.set("commit_index", m.path("commit_index"));
                    row.set("applied_index", m.path("applied_index"));
                }
            }
            row.set("leader_changes", g.path("leader_changes"));
        }
        return rows;
    }

    /**
     * {@code add_cluster_node ID ADDRESS [QUORUM_ADDRESS]}: adds the node, which must be running with
     * {@code cluster.join: true}, to every group; the quorum address defaults to the Raft port plus 100 ({@code ClusterPeer.QUORUM_PORT_OFFSET}).
     */
    static void addNode(Call call) throws CtlException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("address", call.arg(1));
        if (call.args().size() > 2) {
            body.put("quorum_address", call.arg(2));
        }
        call.api().call("POST", ApiClient.path("cluster", "members", call.arg(0)), body,
                "a cluster (this broker runs alone: no cluster section)");
        call.out().done("node " + call.arg(0) + " added to the cluster");
    }

    private static final List<Column> REBALANCE_COLUMNS = List.of(Column.of("group"), Column.of("before"),
            Column.of("after"));

    /**
     * {@code rebalance_quorum_leaders}: spreads the quorum groups' leaders over the members in contact, as
     * {@code rabbitmq-queues rebalance quorum} does, through {@code POST /api/cluster/rebalance}; prints each group's
     * leader before and after.
     */
    static void rebalance(Call call) throws CtlException {
        JsonNode answer = call.api().callForDocument("POST", "/api/cluster/rebalance", null,
                "a cluster (this broker runs alone: no cluster section)");
        if (call.out().json()) {
            call.out().document(answer);
            return;
        }
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        answer.path("before").fields().forEachRemaining(e -> {
            ObjectNode row = rows.addObject();
            row.put("group", e.getKey());
            row.put("before", e.getValue().asText().isEmpty() ? "none" : e.getValue().asText());
            String after = answer.path("after").path(e.getKey()).asText();
            row.put("after", after.isEmpty() ? "none" : after);
        });
        call.out().table(REBALANCE_COLUMNS, rows);
    }

    /** {@code forget_cluster_node ID}: removes the node from every group and detaches its quorum consumers. */
    static void forgetNode(Call call) throws CtlException {
        call.api().call("DELETE", ApiClient.path("cluster", "members", call.arg(0)), null,
                "member '" + call.arg(0) + "' of a cluster");
        call.out().done("node " + call.arg(0) + " removed from the cluster");
    }
}
