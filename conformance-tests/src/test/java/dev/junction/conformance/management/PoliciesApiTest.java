package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ policies over the management API (RabbitMQ docs, "Policies"; "HTTP API Reference", /api/policies),
 * seen by a stock AMQP client: a policy changes queues that already hold messages, a queue's own arguments win
 * where RabbitMQ says they win, and policies are definitions that survive a restart and an export and import.
 */
class PoliciesApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static Connection amqp(ManagementBroker b) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(b.amqpPort());
        f.setUsername("admin");
        f.setPassword("pw");
        return f.newConnection();
    }

    private static void publish(Channel ch, String queue, int n) throws Exception {
        for (int i = 1; i <= n; i++) {
            ch.basicPublish("", queue, null, ("m" + i).getBytes());
        }
        ch.waitForConfirmsOrDie(30_000);
    }

    /** A fanout exchange into a queue, to catch what a queue dead-letters. */
    private static void deadLetterTarget(Channel ch, String exchange, String queue) throws Exception {
        ch.exchangeDeclare(exchange, "fanout");
        ch.queueDeclare(queue, false, false, false, null);
        ch.queueBind(queue, exchange, "");
    }

    @Test
    void aPolicyChangesExistingQueuesAtOnceAndTheQueuesOwnArgumentsWinWhereRabbitMqSaysSo() throws Exception {
        try (Connection c = amqp(broker); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            deadLetterTarget(ch, "pol.dlx", "pol.dead");
            deadLetterTarget(ch, "pol.own.dlx", "pol.own.dead");
            ch.queueDeclare("pol.plain", false, false, false, null);
            // Its own limit (4) is higher than the policy's and its own dead-letter exchange wins over the policy's.
            ch.queueDeclare("pol.own", false, false, false,
                    Map.of("x-max-length", 4, "x-dead-letter-exchange", "pol.own.dlx"));
            // Its own limit (1) is lower than the policy's: it stays.
            ch.queueDeclare("pol.strict", false, false, false, Map.of("x-max-length", 1));
            publish(ch, "pol.plain", 5);
            publish(ch, "pol.own", 4);
            publish(ch, "pol.strict", 1);

            HttpResponse<String> put = broker.call("PUT", "/api/policies/%2F/limit", "admin", "pw",
                    "{\"pattern\":\"^pol\\\\.(plain|own|strict)$\",\"apply-to\":\"queues\",\"priority\":1,"
                            + "\"definition\":{\"max-length\":2,\"dead-letter-exchange\":\"pol.dlx\"}}");
            assertThat(put.statusCode()).isEqualTo(201);

            // The PUT answers once the queues have applied it: the heads were dropped and dead-lettered.
            assertThat(ch.messageCount("pol.plain")).isEqualTo(2);
            assertThat(ch.messageCount("pol.own")).as("the lower limit, the policy's").isEqualTo(2);
            assertThat(ch.messageCount("pol.strict")).as("the lower limit, the argument's").isEqualTo(1);
            assertThat(new String(ch.basicGet("pol.plain", true).getBody())).isEqualTo("m4");
            awaitCount(ch, "pol.dead", 3);
            awaitCount(ch, "pol.own.dead", 2);
            assertThat(ch.messageCount("pol.dead")).as("pol.own dead-letters to its own exchange").isEqualTo(3);

            JsonNode q = json(broker.get("/api/queues/%2F/pol.own", "monitor"));
            assertThat(q.get("policy").asText()).isEqualTo("limit");
            assertThat(q.get("effective_policy_definition").get("max-length").asInt()).isEqualTo(2);
            assertThat(q.get("arguments").get("x-max-length").asInt()).as("arguments are as declared").isEqualTo(4);
            assertThat(json(broker.get("/api/queues/%2F/pol.dead", "monitor")).get("policy").isNull()).isTrue();

            assertThat(broker.call("DELETE", "/api/policies/%2F/limit", "admin", "pw", null).statusCode())
                    .isEqualTo(204);
            publish(ch, "pol.plain", 3);
            assertThat(ch.messageCount("pol.plain")).as("no limit any more").isEqualTo(4);
            assertThat(json(broker.get("/api/queues/%2F/pol.plain", "admin")).get("policy").isNull()).isTrue();
            for (String name : new String[] {"pol.plain", "pol.own", "pol.strict", "pol.dead", "pol.own.dead"}) {
                ch.queueDelete(name);
            }
        }
    }

    private static void awaitCount(Channel ch, String queue, long n) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (ch.messageCount(queue) < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(ch.messageCount(queue)).isEqualTo(n);
    }

    @Test
    void anAlternateExchangePolicyAppliesToExchangesOnly() throws Exception {
        try (Connection c = amqp(broker); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            deadLetterTarget(ch, "pol.ae", "pol.unrouted");
            ch.exchangeDeclare("pol.orders", "direct");
            assertThat(broker.call("PUT", "/api/policies/%2F/ae", "admin", "pw",
                    "{\"pattern\":\"^pol\\\\.orders$\",\"apply-to\":\"exchanges\","
                            + "\"definition\":{\"alternate-exchange\":\"pol.ae\"}}").statusCode()).isEqualTo(201);
            ch.basicPublish("pol.orders", "nobody", null, "lost?".getBytes());
            ch.waitForConfirmsOrDie(30_000);
            awaitCount(ch, "pol.unrouted", 1);
            JsonNode x = json(broker.get("/api/exchanges/%2F/pol.orders", "admin"));
            assertThat(x.get("policy").asText()).isEqualTo("ae");
            assertThat(broker.call("DELETE", "/api/policies/%2F/ae", "admin", "pw", null).statusCode())
                    .isEqualTo(204);
            ch.exchangeDelete("pol.orders");
            ch.exchangeDelete("pol.ae");
            ch.queueDelete("pol.unrouted");
        }
    }

    @Test
    void policyEndpointsAnswerWithRabbitMqShapesAndStatusCodes() throws Exception {
        String body = "{\"pattern\":\"^nothing-here$\",\"definition\":{\"message-ttl\":60000}}";
        assertThat(broker.call("PUT", "/api/policies/%2F/shape", "admin", "pw", body).statusCode()).isEqualTo(201);
        assertThat(broker.call("PUT", "/api/policies/%2F/shape", "admin", "pw", body).statusCode()).isEqualTo(204);

        JsonNode p = json(broker.get("/api/policies/%2F/shape", "admin"));
        assertThat(p.get("vhost").asText()).isEqualTo("/");
        assertThat(p.get("name").asText()).isEqualTo("shape");
        assertThat(p.get("pattern").asText()).isEqualTo("^nothing-here$");
        assertThat(p.get("apply-to").asText()).as("RabbitMQ's default").isEqualTo("all");
        assertThat(p.get("priority").asInt()).isZero();
        assertThat(p.get("definition").get("message-ttl").asInt()).isEqualTo(60000);
        assertThat(json(broker.get("/api/policies", "admin")).findValuesAsText("name")).contains("shape");
        assertThat(json(broker.get("/api/policies/%2F", "admin")).findValuesAsText("name")).contains("shape");
        assertThat(json(broker.get("/api/policies/restricted", "admin"))).isEmpty();

        HttpResponse<String> invalid = broker.call("PUT", "/api/policies/%2F/bad", "admin", "pw",
                "{\"pattern\":\".*\",\"definition\":{\"max-length\":-1}}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).get("error").asText()).isEqualTo("bad_request");
        assertThat(json(invalid).get("reason").asText()).startsWith("Validation failed")
                .contains("-1 is not a valid maximum length");
        assertThat(broker.call("PUT", "/api/policies/%2F/bad", "admin", "pw",
                "{\"pattern\":\".*\",\"definition\":{\"ha-mode\":\"all\"}}").statusCode()).isEqualTo(400);
        assertThat(broker.call("PUT", "/api/policies/%2F/bad", "admin", "pw",
                "{\"definition\":{\"max-length\":1}}").statusCode()).as("no pattern").isEqualTo(400);
        assertThat(broker.get("/api/policies/%2F/bad", "admin").statusCode()).isEqualTo(404);
        assertThat(broker.get("/api/policies/no-such-vhost", "admin").statusCode()).isEqualTo(404);

        // RabbitMQ: policies are for policymakers (administrators are); monitoring and management users are not.
        assertThat(broker.get("/api/policies", "monitor").statusCode()).isEqualTo(401);
        assertThat(broker.call("PUT", "/api/policies/restricted/p", "manager", "pw", body).statusCode())
                .isEqualTo(401);

        assertThat(broker.call("DELETE", "/api/policies/%2F/shape", "admin", "pw", null).statusCode()).isEqualTo(204);
        assertThat(broker.call("DELETE", "/api/policies/%2F/shape", "admin", "pw", null).statusCode()).isEqualTo(404);
    }

    @Test
    void policiesSurviveARestartAndTravelInDefinitions() throws Exception {
        try (ManagementBroker own = ManagementBroker.start()) {
            assertThat(own.call("PUT", "/api/policies/%2F/keep", "admin", "pw",
                    "{\"pattern\":\"^kept$\",\"apply-to\":\"queues\",\"priority\":3,"
                            + "\"definition\":{\"max-length\":1}}").statusCode()).isEqualTo(201);
            try (Connection c = amqp(own); Channel ch = c.createChannel()) {
                ch.queueDeclare("kept", true, false, false, null);
            }
            own.stop();
            try (ManagementBroker again = ManagementBroker.startIn(own.dir())) {
                JsonNode p = json(again.get("/api/policies/%2F/keep", "admin"));
                assertThat(p.get("priority").asInt()).isEqualTo(3);
                assertThat(json(again.get("/api/queues/%2F/kept", "admin")).get("policy").asText()).isEqualTo("keep");
                try (Connection c = amqp(again); Channel ch = c.createChannel()) {
                    ch.confirmSelect();
                    publish(ch, "kept", 3);
                    assertThat(ch.messageCount("kept")).as("the recovered policy applies").isEqualTo(1);
                }

                String defs = again.get("/api/definitions", "admin").body();
                JsonNode exported = JSON.readTree(defs).get("policies");
                assertThat(exported).hasSize(1);
                assertThat(exported.get(0).get("name").asText()).isEqualTo("keep");
                assertThat(exported.get(0).get("vhost").asText()).isEqualTo("/");
                assertThat(exported.get(0).get("apply-to").asText()).isEqualTo("queues");

                try (ManagementBroker fresh = ManagementBroker.start()) {
                    assertThat(fresh.call("POST", "/api/definitions", "admin", "pw", defs).statusCode())
                            .isEqualTo(204);
                    assertThat(json(fresh.get("/api/policies/%2F/keep", "admin")).get("definition")
                            .get("max-length").asInt()).isEqualTo(1);
                    assertThat(json(fresh.get("/api/queues/%2F/kept", "admin")).get("policy").asText())
                            .as("the imported queue is created under the imported policy").isEqualTo("keep");
                }
            }
        }
    }

    @Test
    void aRabbitMqPolicyWithKeysJunctionLacksImportsWithTheKeysItHas() throws Exception {
        String defs = """
                {"rabbit_version":"3.12.0",
                 "policies":[
                   {"vhost":"/","name":"ha","pattern":"^nothing$","apply-to":"queues",
                    "definition":{"ha-mode":"all","message-ttl":5000},"priority":0},
                   {"vhost":"/","name":"ha-only","pattern":"^nothing$","apply-to":"all",
                    "definition":{"ha-mode":"all"},"priority":0}]}
                """;
        assertThat(broker.call("POST", "/api/definitions", "admin", "pw", defs).statusCode()).isEqualTo(204);
        JsonNode ha = json(broker.get("/api/policies/%2F/ha", "admin"));
        assertThat(ha.get("definition").has("ha-mode")).isFalse();
        assertThat(ha.get("definition").get("message-ttl").asInt()).isEqualTo(5000);
        assertThat(broker.get("/api/policies/%2F/ha-only", "admin").statusCode()).isEqualTo(404);
        assertThat(broker.call("DELETE", "/api/policies/%2F/ha", "admin", "pw", null).statusCode()).isEqualTo(204);
    }
}
