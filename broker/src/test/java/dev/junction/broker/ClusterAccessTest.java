package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.broker.management.ClusterDefinitionsFile;
import dev.junction.broker.management.DefinitionsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Users (with their permissions and topic permissions) and policies go through the cluster's metadata log
 * (docs/cluster.md): what the management API changes on one node applies on every node, and a node without a
 * majority refuses the change. Every node may import the same definitions file through that log at every start.
 */
class ClusterAccessTest extends OnThreeNodes {

    @Test
    void aUserCreatedOnOneNodeLogsInOnAnotherAndAPolicySetOnOneAppliesOnAnother() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        assertThat(nodes.http("n1", "PUT", "/api/users/erin", "{\"password\":\"e-pw\",\"tags\":\"\"}").statusCode())
                .isEqualTo(201);
        assertThat(nodes.http("n1", "PUT", "/api/permissions/%2F/erin",
                "{\"configure\":\"^erin\\\\.\",\"write\":\".*\",\"read\":\".*\"}").statusCode()).isEqualTo(201);
        assertThat(nodes.http("n1", "PUT", "/api/topic-permissions/%2F/erin",
                "{\"exchange\":\"amq.topic\",\"write\":\"^erin\\\\.\",\"read\":\".*\"}").statusCode())
                .isIn(201, 204);
        ThreeNodes.await("erin's topic permission on n3", () -> nodes.http("n3", "GET",
                "/api/topic-permissions/%2F/erin", null).body().contains("amq.topic"));
        try (Connection c = nodes.connect("n3", "erin", "e-pw")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("erin.q", false, false, true, null);
            // Her configure permission came along: a name outside it is refused on this node too.
            assertThatThrownBy(() -> ch.queueDeclare("other.q", false, false, true, null))
                    .hasStackTraceContaining("reply-code=403");
        }

        assertThat(nodes.http("n2", "PUT", "/api/policies/%2F/short",
                "{\"pattern\":\"^pol\\\\.\",\"definition\":{\"max-length\":1},\"apply-to\":\"queues\"}").statusCode())
                .isIn(201, 204);
        try (Connection c = nodes.connect("n1"); Channel ch = c.createChannel()) {
            // No wait: the policy was committed before n2 answered, so the queue's entry comes after it in the log
            // and n1 creates the queue with the policy already in force.
            // A classic queue, whose count this node's copy gives at once (a quorum queue's is its replica's, which
            // may not have applied the last publishes when the confirms come).
            ch.queueDeclare("pol.q", true, false, false, Map.of("x-queue-type", "classic"));
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "pol.q", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            assertThat(ch.queueDeclarePassive("pol.q").getMessageCount()).isEqualTo(1);
            assertThat(nodes.http("n1", "GET", "/api/queues/%2F/pol.q", null).body())
                    .contains("\"policy\":\"short\"");
        }

        // The API's declarations are answered after the commit too: another node finds the queue at once.
        assertThat(nodes.http("n2", "PUT", "/api/queues/%2F/api.q", "{\"durable\":true}").statusCode())
                .isEqualTo(201);
        try (Connection c = nodes.connect("n3"); Channel ch = c.createChannel()) {
            assertThat(ch.queueDeclarePassive("api.q").getQueue()).isEqualTo("api.q");
        }
        assertThat(nodes.http("n3", "DELETE", "/api/queues/%2F/api.q", null).statusCode()).isEqualTo(204);
        try (Connection c = nodes.connect("n1")) {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> ch.queueDeclarePassive("api.q")).hasStackTraceContaining("404");
        }

        assertThat(nodes.http("n3", "DELETE", "/api/users/erin", null).statusCode()).isEqualTo(204);
        ThreeNodes.await("erin gone from n1", () -> nodes.http("n1", "GET", "/api/users/erin", null)
                .statusCode() == 404);
    }

    @Test
    void aNodeWithoutAMajorityRefusesUserChanges() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        String last = nodes.followers().get(0);
        for (String other : List.copyOf(nodes.running())) {
            if (!other.equals(last)) {
                nodes.stop(other);
            }
        }
        ThreeNodes.await("no leader on " + last,
                () -> nodes.broker(last).cluster().orElseThrow().status().leader().isEmpty());
        var res = nodes.http(last, "PUT", "/api/users/late", "{\"password\":\"pw\",\"tags\":\"\"}");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).contains("no leader for the metadata group");
        assertThat(nodes.http(last, "GET", "/api/users/late", null).statusCode()).isEqualTo(404);
    }

    /**
     * Every node started with the same definitions file (docs/cluster.md, "Definitions files"): each node's import
     * refuses nothing, every object is there once on each node, and the import run again (as at the next start) is a
     * no-op, a queue's messages included. A file declaring a queue with other arguments than it has gets that one
     * object refused with a warning, and the rest imported. (One node's file reaching the others is
     * {@link ClusterDeclarationsTest}'s.)
     */
    @Test
    void everyNodeImportsTheSameDefinitionsFileAndEachObjectIsThereOnce() throws Exception {
        Path file = ClusterDefinitionsFiles.write(dir, "definitions.json", "");
        nodes = new ThreeNodes(dir, "");
        for (String id : ThreeNodes.IDS) {
            nodes.nodeConfig(id, ClusterDefinitionsFiles.configLine(file));
        }
        nodes.startAll();
        for (String id : ThreeNodes.IDS) {
            assertThat(nodes.broker(id).definitionsImported().get(60, TimeUnit.SECONDS)).as(id).isZero();
        }
        for (String id : ThreeNodes.IDS) {
            ClusterDefinitionsFiles.onceOn(nodes, id);
        }
        try (Connection c = nodes.connect("n2", ClusterDefinitionsFiles.USER, ClusterDefinitionsFiles.PASSWORD,
                ClusterDefinitionsFiles.VHOST); Channel ch = c.createChannel()) {
            ClusterDefinitionsFiles.publish(ch, "kept");
        }
        // The boot import again, as n2's next start runs it: nothing refused, nothing made again.
        try (ClusterDefinitionsFile again = ClusterDefinitionsFile.start(nodes.broker("n2").engine(), file,
                DefinitionsFile.read(file))) {
            assertThat(again.imported().get(60, TimeUnit.SECONDS)).isZero();
        }
        ClusterDefinitionsFiles.onceOn(nodes, "n2");
        try (Connection c = nodes.connect("n2", ClusterDefinitionsFiles.USER, ClusterDefinitionsFiles.PASSWORD,
                ClusterDefinitionsFiles.VHOST); Channel ch = c.createChannel()) {
            assertThat(ch.queueDeclarePassive("orders.q").getMessageCount()).isEqualTo(1);
            ThreeNodes.await("the quorum queue's message", () -> ch.queueDeclarePassive("orders.qq")
                    .getMessageCount() == 1);
        }

        // orders.q with another argument: refused with a warning, the rest imported, the queue as it was.
        Path other = ClusterDefinitionsFiles.write(dir, "other.json", "\"x-max-length\": 7");
        try (ClusterDefinitionsFile conflicting = ClusterDefinitionsFile.start(nodes.broker("n3").engine(), other,
                DefinitionsFile.read(other))) {
            assertThat(conflicting.imported().get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(nodes.http("n3", "GET", "/api/queues/defs/orders.q", null).body()).doesNotContain("x-max-length");
        nodes.stopAll(); // at once, not one after the other
    }
}
