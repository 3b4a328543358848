package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The policy keys of the redelivery patterns (RabbitMQ "Policies": {@code delivery-limit}, {@code consumer-timeout};
 * Junction's {@code retry-delays}) and how a queue's arguments show on the management API.
 */
@Timeout(60)
class RedeliveryPoliciesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static GetResponse getWithin(Channel ch, String q) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            GetResponse r = ch.basicGet(q, false);
            if (r != null) {
                return r;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nothing in " + q);
    }

    @Test
    void eachKeyIsSettableByPolicyAndActsOnTheQueue() throws Exception {
        HttpResponse<String> put = broker.call("PUT", "/api/policies/%2F/redelivery", "admin", "pw",
                "{\"pattern\":\"^rp\\\\.\",\"apply-to\":\"queues\",\"definition\":{\"delivery-limit\":1,"
                        + "\"retry-delays\":\"100ms\",\"consumer-timeout\":500,\"dead-letter-exchange\":\"rp-dlx\"}}");
        assertThat(put.statusCode()).isEqualTo(201);
        try (Connection c = broker.adminAmqp(); Channel ch = c.createChannel()) {
            ch.exchangeDeclare("rp-dlx", "fanout");
            ch.queueDeclare("dead-rp", false, false, false, null);
            ch.queueBind("dead-rp", "rp-dlx", "");
            ch.queueDeclare("rp.work", false, false, false, null);
            ch.basicPublish("", "rp.work", null, "m".getBytes());

            // delivery-limit 1 and retry-delays: one return waits 100 ms, the second dead-letters.
            GetResponse first = getWithin(ch, "rp.work");
            ch.basicNack(first.getEnvelope().getDeliveryTag(), false, true);
            GetResponse second = getWithin(ch, "rp.work");
            assertThat(second.getProps().getHeaders().get("x-delivery-count")).isEqualTo(1L);
            ch.basicNack(second.getEnvelope().getDeliveryTag(), false, true);
            GetResponse dead = getWithin(ch, "dead-rp");
            @SuppressWarnings("unchecked")
            Map<String, Object> death = ((List<Map<String, Object>>) dead.getProps().getHeaders().get("x-death"))
                    .get(0);
            assertThat(death.get("reason").toString()).isEqualTo("delivery_limit");
            ch.basicAck(dead.getEnvelope().getDeliveryTag(), false);

            // consumer-timeout 500: a delivery left unacknowledged closes its channel.
            ch.basicPublish("", "rp.work", null, "slow".getBytes());
            Channel sleepy = c.createChannel();
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            sleepy.addShutdownListener(closed::complete);
            getWithin(sleepy, "rp.work");
            AMQP.Channel.Close close = (AMQP.Channel.Close) closed.get(20, TimeUnit.SECONDS).getReason();
            assertThat(close.getReplyCode()).isEqualTo(406);
            assertThat(close.getReplyText()).contains("Timeout value used: 500 ms");

            JsonNode q = JSON.readTree(broker.get("/api/queues/%2F/rp.work", "admin").body());
            assertThat(q.get("policy").asText()).isEqualTo("redelivery");
            assertThat(q.get("effective_policy_definition").get("delivery-limit").asInt()).isEqualTo(1);
            assertThat(q.get("effective_policy_definition").get("retry-delays").asText()).isEqualTo("100ms");
            assertThat(q.get("effective_policy_definition").get("consumer-timeout").asInt()).isEqualTo(500);
            ch.queueDelete("rp.work");
            ch.queueDelete("dead-rp");
            ch.exchangeDelete("rp-dlx");
        }
        assertThat(broker.call("DELETE", "/api/policies/%2F/redelivery", "admin", "pw", null).statusCode())
                .isEqualTo(204);
    }

    @Test
    void declaredArgumentsShowInTheQueuesArgumentsAndBadPolicyValuesAreRefused() throws Exception {
        try (Connection c = broker.adminAmqp(); Channel ch = c.createChannel()) {
            ch.queueDeclare("args.shown", false, false, false, Map.of("x-delivery-limit", 3,
                    "x-retry-delays", "1s,10s,1m", "x-consumer-timeout", 60_000));
            JsonNode args = JSON.readTree(broker.get("/api/queues/%2F/args.shown", "admin").body()).get("arguments");
            assertThat(args.get("x-delivery-limit").asInt()).isEqualTo(3);
            assertThat(args.get("x-retry-delays").asText()).isEqualTo("1s,10s,1m");
            assertThat(args.get("x-consumer-timeout").asInt()).isEqualTo(60_000);
            ch.queueDelete("args.shown");
        }
        for (String bad : List.of("{\"delivery-limit\":-1}", "{\"consumer-timeout\":\"soon\"}",
                "{\"retry-delays\":\"1s,later\"}")) {
            HttpResponse<String> r = broker.call("PUT", "/api/policies/%2F/bad", "admin", "pw",
                    "{\"pattern\":\".*\",\"definition\":" + bad + "}");
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("reason").asText()).startsWith("Validation failed");
        }
    }
}
