package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.broker.management.ClusterDefinitionsFile;
import dev.junction.broker.management.DefinitionsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Users (with their permissions and topic permissions) and policies go through the cluster's metadata log
 * (docs/cluster.md): what the management API changes on one node applies on every node, and a node without a
 * majority refuses the change. A definitions file given to one node is imported through the same log, for every
 * node, as RabbitMQ's replicated schema store makes one node's boot import the cluster's.
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
            ch.queueDeclare("pol.q", true, false, false, null);
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

    /** A definitions file of a vhost, a user with permissions there, a policy, an exchange, two queues, bindings. */
    private static final String DEFINITIONS = """
            {"vhosts": [{"name": "defs"}],
             "users": [{"name": "dora", "password": "d-pw", "tags": ""}],
             "permissions": [{"user": "dora", "vhost": "defs", "configure": ".*", "write": ".*", "read": ".*"}],
             "policies": [{"vhost": "defs", "name": "cap", "pattern": "^orders\\\\.q$", "apply-to": "queues",
                           "priority": 0, "definition": {"max-length": 100}}],
             "exchanges": [{"vhost": "defs", "name": "orders.x", "type": "direct", "durable": true,
                            "auto_delete": false, "internal": false, "arguments": {}}],
             "queues": [{"vhost": "defs", "name": "orders.q", "durable": true, "auto_delete": false,
                         "arguments": {%s}},
                        {"vhost": "defs", "name": "orders.qq", "durable": true, "auto_delete": false,
                         "arguments": {"x-queue-type": "quorum"}}],
             "bindings": [{"vhost": "defs", "source": "orders.x", "destination": "orders.q",
                           "destination_type": "queue", "routing_key": "new", "arguments": {}},
                          {"vhost": "defs", "source": "orders.x", "destination": "orders.qq",
                           "destination_type": "queue", "routing_key": "new", "arguments": {}}]}
            """;
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    /**
     * RabbitMQ's definitions import on boot fills the cluster's replicated schema store, so every node has what
     * one node's file holds (rabbitmq.com/docs/definitions); here a file given to n1 alone reaches n2 and n3 through
     * the metadata log. Then every node starts with the same file, which is a no-op where the objects exist; a file
     * that redeclares a queue with other arguments gets a warning for that object, and the node runs on.
     */
    @Test
    void aDefinitionsFileOnOneNodeIsImportedForEveryNodeAndAgainOnEachNodeAsANoOp() throws Exception {
        Path file = Files.writeString(dir.resolve("definitions.json"), DEFINITIONS.formatted(""));
        String definitionsFile = "definitions_file: \"" + file + "\"\n";
        nodes = new ThreeNodes(dir, "").nodeConfig("n1", definitionsFile).startAll();
        assertThat(nodes.broker("n1").definitionsImported().get(60, TimeUnit.SECONDS)).isZero();
        for (String id : List.of("n2", "n3")) {
            // The user is applied on every node through the log; a login reads the node's own directory.
            ThreeNodes.await("dora on " + id, () -> nodes.http(id, "GET", "/api/users/dora", null).statusCode() == 200);
            try (Connection c = nodes.connect(id, "dora", "d-pw", "defs"); Channel ch = c.createChannel()) {
                ch.exchangeDeclarePassive("orders.x");
                ch.queueDeclarePassive("orders.q");
                ch.queueDeclarePassive("orders.qq");
                ch.confirmSelect();
                ch.basicPublish("orders.x", "new", PERSISTENT, ("from " + id).getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(10_000);
                assertThat(body(ch.basicGet("orders.q", true))).isEqualTo("from " + id);
                GetResponse[] got = new GetResponse[1];
                ThreeNodes.await("the quorum queue's message on " + id,
                        () -> (got[0] = ch.basicGet("orders.qq", true)) != null);
                assertThat(body(got[0])).isEqualTo("from " + id);
            }
            assertThat(nodes.http(id, "GET", "/api/queues/defs/orders.q", null).body()).contains("\"policy\":\"cap\"");
        }
        try (Connection c = nodes.connect("n2", "dora", "d-pw", "defs"); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish("orders.x", "new", PERSISTENT, "kept".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
        }

        // Every node with the same file, all restarted: each import finds everything there and refuses nothing.
        nodes.stopAll();
        for (String id : ThreeNodes.IDS) {
            nodes.nodeConfig(id, definitionsFile).start(id);
        }
        for (String id : ThreeNodes.IDS) {
            assertThat(nodes.broker(id).definitionsImported().get(60, TimeUnit.SECONDS)).as(id).isZero();
        }
        for (String id : ThreeNodes.IDS) {
            assertThat(names(nodes.http(id, "GET", "/api/vhosts", null).body())).containsOnlyOnce("defs");
            assertThat(names(nodes.http(id, "GET", "/api/users", null).body())).containsOnlyOnce("dora");
            assertThat(names(nodes.http(id, "GET", "/api/policies/defs", null).body())).containsExactly("cap");
            assertThat(names(nodes.http(id, "GET", "/api/exchanges/defs", null).body())).containsOnlyOnce("orders.x");
            assertThat(names(nodes.http(id, "GET", "/api/queues/defs", null).body()))
                    .containsExactlyInAnyOrder("orders.q", "orders.qq");
            for (String q : List.of("orders.q", "orders.qq")) {
                assertThat(JSON.readTree(nodes.http(id, "GET", "/api/bindings/defs/e/orders.x/q/" + q, null).body()))
                        .hasSize(1);
            }
        }
        // Redeclared, not made again: n2's copy of the classic queue still has its message, the quorum queue its.
        ThreeNodes.await("n2's messages after the restart", () -> {
            try (Connection c = nodes.connect("n2", "dora", "d-pw", "defs"); Channel ch = c.createChannel()) {
                return ch.queueDeclarePassive("orders.q").getMessageCount() == 1
                        && ch.queueDeclarePassive("orders.qq").getMessageCount() == 1;
            }
        });

        // The boot import of a file that declares orders.q with other arguments (run here as n3's start runs it):
        // that object is refused with a warning, the rest is imported, and the queue keeps its arguments.
        Path other = Files.writeString(dir.resolve("other.json"), DEFINITIONS.formatted("\"x-max-length\": 7"));
        try (ClusterDefinitionsFile conflicting = ClusterDefinitionsFile.start(nodes.broker("n3").engine(), other,
                DefinitionsFile.read(other))) {
            assertThat(conflicting.imported().get(60, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(nodes.http("n3", "GET", "/api/queues/defs/orders.q", null).body()).doesNotContain("x-max-length");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> names(String json) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode n : JSON.readTree(json)) {
            names.add(n.get("name").asText());
        }
        return names;
    }

    private static String body(GetResponse r) {
        assertThat(r).isNotNull();
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }
}
