package dev.junction.broker.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code cluster_status}: the metadata group as the node asked sees it, from {@code GET /api/cluster}. */
final class ClusterVerbs {
    private static final List<Column> MEMBER_COLUMNS = List.of(Column.of("id"), Column.of("address"),
            Column.of("leader"), Column.of("commit_index"), Column.of("applied_index"), Column.of("lag"));

    private ClusterVerbs() {
    }

    /**
     * Prints this node, its role, the leader and term, then one row per member: whether it leads, the commit
     * index this node last heard from it, its applied index (this node's only; -1 for the others) and its lag
     * behind the leader's commit index (-1: not known yet). A broker that runs alone answers 404.
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
    }
}
