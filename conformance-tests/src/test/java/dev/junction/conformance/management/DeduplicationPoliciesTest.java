package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The message-deduplication plugin's policy keys over the management API, acting on queues and exchanges used with
 * the stock Java client: {@code x-message-deduplication} on a queue, {@code x-cache-size} and {@code x-cache-ttl} on
 * a deduplication exchange; bad values are refused with 400 and the plugin's validator texts.
 */
@Timeout(60)
class DeduplicationPoliciesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static AMQP.BasicProperties keyed(String key) {
        return new AMQP.BasicProperties.Builder().headers(Map.of("x-deduplication-header", key)).build();
    }

    private static void publish(Channel ch, String exchange, String routingKey, String key) throws Exception {
        ch.basicPublish(exchange, routingKey, keyed(key), key.getBytes(StandardCharsets.UTF_8));
        ch.waitForConfirmsOrDie(5_000);
    }

    private static HttpResponse<String> policy(String name, String body) throws Exception {
        return broker.call("PUT", "/api/policies/%2F/" + name, "admin", "pw", body);
    }

    @Test
    void aQueuePolicyTurnsDeduplicationOn() throws Exception {
        assertThat(policy("dedup-q", "{\"pattern\":\"^dpq\\\\.\",\"apply-to\":\"queues\","
                + "\"definition\":{\"x-message-deduplication\":true}}").statusCode()).isEqualTo(201);
        try (Connection c = broker.adminAmqp(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.queueDeclare("dpq.jobs", false, false, true, null);
            publish(ch, "", "dpq.jobs", "order-1");
            publish(ch, "", "dpq.jobs", "order-1");
            publish(ch, "", "dpq.jobs", "order-2");
            assertThat(ch.messageCount("dpq.jobs")).isEqualTo(2);
            assertThat(broker.call("DELETE", "/api/policies/%2F/dedup-q", "admin", "pw", null).statusCode())
                    .isEqualTo(204);
            publish(ch, "", "dpq.jobs", "order-1");
            assertThat(ch.messageCount("dpq.jobs")).as("the policy is gone").isEqualTo(3);
        }
    }

    @Test
    void anExchangePolicySetsTheCacheSizeAndTtl() throws Exception {
        assertThat(policy("dedup-x", "{\"pattern\":\"^dpx$\",\"apply-to\":\"exchanges\","
                + "\"definition\":{\"x-cache-size\":1,\"x-cache-ttl\":600}}").statusCode()).isEqualTo(201);
        try (Connection c = broker.adminAmqp(); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            ch.exchangeDeclare("dpx", "x-message-deduplication", false, true, Map.of("x-cache-size", 1000));
            ch.queueDeclare("dpx.out", false, false, true, null);
            ch.queueBind("dpx.out", "dpx", "");
            publish(ch, "dpx", "", "a"); // the second within the ttl, even with a loaded machine's pauses
            publish(ch, "dpx", "", "a");
            assertThat(ch.messageCount("dpx.out")).isEqualTo(1);
            publish(ch, "dpx", "", "b"); // the policy's size of 1: a is evicted
            publish(ch, "dpx", "", "a");
            assertThat(ch.messageCount("dpx.out")).isEqualTo(3);
            Thread.sleep(700);
            publish(ch, "dpx", "", "a"); // the policy's ttl passed
            assertThat(ch.messageCount("dpx.out")).isEqualTo(4);
        } finally {
            broker.call("DELETE", "/api/policies/%2F/dedup-x", "admin", "pw", null);
        }
    }

    @Test
    void badValuesAreRefusedWithThePluginsTexts() throws Exception {
        Map<String, String> refusals = Map.of(
                "{\"x-message-deduplication\":\"yes\"}", "'x-message-deduplication' must be a boolean, got yes",
                "{\"x-cache-size\":0}", "'x-cache-size' must be an integer greater than 0, got 0",
                "{\"x-cache-ttl\":-5}", "'x-cache-ttl' must be an integer greater than 0, got -5");
        for (Map.Entry<String, String> bad : refusals.entrySet()) {
            HttpResponse<String> r = policy("bad", "{\"pattern\":\".*\",\"definition\":" + bad.getKey() + "}");
            assertThat(r.statusCode()).as(bad.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("reason").asText()).startsWith("Validation failed")
                    .contains(bad.getValue());
        }
        assertThat(JSON.readTree(broker.get("/api/policies/%2F", "admin").body())).isEmpty();
    }
}
