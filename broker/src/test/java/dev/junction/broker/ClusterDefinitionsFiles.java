package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A definitions file for cluster nodes' {@code definitions_file} (docs/cluster.md, "Definitions files"): a vhost
 * {@code defs}, a user {@code dora} with every permission there, a policy {@code cap} on {@code orders.q}, a direct
 * exchange {@code orders.x}, a durable classic queue {@code orders.q}, a quorum queue {@code orders.qq}, and a
 * binding from the exchange to each queue with the key {@code new}; and the checks a stock client makes of it.
 */
final class ClusterDefinitionsFiles {
    static final String USER = "dora";
    static final String PASSWORD = "d-pw";
    static final String VHOST = "defs";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final String DEFINITIONS = """
            {"vhosts": [{"name": "defs"}],
             "users": [{"name": "dora", "password": "d-pw", "tags": ""}],
             "permissions": [{"user": "dora", "vhost": "defs", "configure": ".*", "write": ".*", "read": ".*"}],
             "policies": [{"vhost": "defs", "name": "cap", "pattern": "^orders\\\\.q$", "apply-to": "queues",
                           "priority": 0, "definition": {"max-length": 100}}],
             "exchanges": [{"vhost": "defs", "name": "orders.x", "type": "direct", "durable": true,
                            "auto_delete": false, "internal": false, "arguments": {}}],
             "queues": [{"vhost": "defs", "name": "orders.q", "type": "classic", "durable": true,
                         "auto_delete": false, "arguments": {%s}},
                        {"vhost": "defs", "name": "orders.qq", "durable": true, "auto_delete": false,
                         "arguments": {"x-queue-type": "quorum"}}],
             "bindings": [{"vhost": "defs", "source": "orders.x", "destination": "orders.q",
                           "destination_type": "queue", "routing_key": "new", "arguments": {}},
                          {"vhost": "defs", "source": "orders.x", "destination": "orders.qq",
                           "destination_type": "queue", "routing_key": "new", "arguments": {}}]}
            """;

    private ClusterDefinitionsFiles() {
    }

    /** Writes the file as {@code name} in {@code dir}; {@code queueArguments}: JSON members of orders.q's arguments. */
    static Path write(Path dir, String name, String queueArguments) throws Exception {
        return Files.writeString(dir.resolve(name), DEFINITIONS.formatted(queueArguments));
    }

    /** The config line naming {@code file}. */
    static String configLine(Path file) {
        return "definitions_file: \"" + file + "\"\n";
    }

    /**
     * On node {@code id}: the file's user logs in to its vhost, finds the exchange and both queues with passive
     * declares, publishes through the bindings with confirms and gets the message from each queue; the classic
     * queue carries the file's policy.
     */
    static void usableOn(ThreeNodes nodes, String id) throws Exception {
        // The user is applied on every node through the log; a login reads the node's own directory.
        ThreeNodes.await(USER + " on " + id,
                () -> nodes.http(id, "GET", "/api/users/" + USER, null).statusCode() == 200);
        try (Connection c = nodes.connect(id, USER, PASSWORD, VHOST); Channel ch = c.createChannel()) {
            ch.exchangeDeclarePassive("orders.x");
            ch.queueDeclarePassive("orders.q");
            ch.queueDeclarePassive("orders.qq");
            publish(ch, "from " + id);
            assertThat(body(ch.basicGet("orders.q", true))).isEqualTo("from " + id);
            GetResponse[] got = new GetResponse[1];
            ThreeNodes.await("the quorum queue's message on " + id,
                    () -> (got[0] = ch.basicGet("orders.qq", true)) != null);
            assertThat(body(got[0])).isEqualTo("from " + id);
        }
        assertThat(nodes.http(id, "GET", "/api/queues/defs/orders.q", null).body()).contains("\"policy\":\"cap\"");
    }

    /** Each of the file's objects is on node {@code id} once, in its definitions export ({@code GET /api/definitions}). */
    static void onceOn(ThreeNodes nodes, String id) throws Exception {
        JsonNode d = JSON.readTree(nodes.http(id, "GET", "/api/definitions", null).body());
        assertThat(names(d.get("vhosts"), "name")).as(id).containsOnlyOnce(VHOST);
        assertThat(names(d.get("users"), "name")).as(id).containsOnlyOnce(USER);
        assertThat(names(d.get("permissions"), "user")).as(id).containsOnlyOnce(USER);
        assertThat(names(d.get("policies"), "name")).as(id).containsExactly("cap");
        assertThat(names(d.get("exchanges"), "name")).as(id).containsExactly("orders.x");
        assertThat(names(d.get("queues"), "name")).as(id).containsExactlyInAnyOrder("orders.q", "orders.qq");
        assertThat(names(d.get("bindings"), "destination")).as(id).containsExactlyInAnyOrder("orders.q", "orders.qq");
    }

    static void publish(Channel ch, String body) throws Exception {
        ch.confirmSelect();
        ch.basicPublish("orders.x", "new", PERSISTENT, body.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(10_000);
    }

    /** The {@code field} of each object of a list in the vhost {@code defs}, or of a list without vhosts. */
    private static List<String> names(JsonNode list, String field) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : list) {
            if (!n.has("vhost") || n.get("vhost").asText().equals(VHOST)) {
                names.add(n.get(field).asText());
            }
        }
        return names;
    }

    private static String body(GetResponse r) {
        assertThat(r).isNotNull();
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }
}
