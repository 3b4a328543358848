package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stream's retention set by policy (RabbitMQ "Streams", "Data Retention": {@code max-length-bytes},
 * {@code max-age}, {@code stream-max-segment-size-bytes} may be set by policy): a policy put over the management API
 * trims an existing stream at once, by whole segments, so its first offset moves on; a stream declared under a
 * policy takes it; where argument and policy both set a limit the lower wins; bad values are refused with 400.
 */
@Timeout(60)
class StreamPoliciesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 400;
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername("admin");
        f.setPassword("pw");
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection();
    }

    private static HttpResponse<String> putPolicy(String name, String pattern, String applyTo, String definition)
            throws Exception {
        return broker.call("PUT", "/api/policies/%2F/" + name, "admin", "pw", "{\"pattern\":\"" + pattern
                + "\",\"apply-to\":\"" + applyTo + "\",\"definition\":" + definition + "}");
    }

    /** Declares a stream of 5,000-byte segments with {@code extra} arguments and fills it with 400 messages. */
    private static void declareAndFill(Channel ch, String name, Object... extra) throws Exception {
        Map<String, Object> args = new HashMap<>();
        args.put("x-queue-type", "stream");
        args.put("x-stream-max-segment-size-bytes", 5_000);
        for (int i = 0; i < extra.length; i += 2) {
            args.put((String) extra[i], extra[i + 1]);
        }
        ch.queueDeclare(name, true, false, false, args);
        ch.confirmSelect();
        for (int i = 0; i < MESSAGES; i++) {
            ch.basicPublish("", name, null, ("message-" + i + "-" + "x".repeat(80)).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
    }

    private static int kept(Channel ch, String stream) throws Exception {
        return ch.queueDeclarePassive(stream).getMessageCount();
    }

    /** The offset and body of the first delivery to a consumer starting at {@code first}. */
    private static String firstBody(Connection c, String stream, long[] offset) throws Exception {
        Channel ch = c.createChannel();
        ch.basicQos(10);
        BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
        ch.basicConsume(stream, false, Map.of("x-stream-offset", "first"), (tag, d) -> {
            if (got.isEmpty() && offset[0] < 0) {
                offset[0] = (Long) d.getProperties().getHeaders().get("x-stream-offset");
                got.add(new String(d.getBody(), StandardCharsets.UTF_8));
            }
            try {
                ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
            } catch (com.rabbitmq.client.AlreadyClosedException closedMeanwhile) {
                // deliveries still in the client's dispatch queue when the test closes the channel below
            }
        }, tag -> { });
        String body = got.poll(10, TimeUnit.SECONDS);
        assertThat(body).as("a delivery from first").isNotNull();
        ch.close();
        return body;
    }

    @Test
    void aMaxLengthBytesPolicyTrimsAnExistingStreamAtOnceAndItsFirstOffsetMovesOn() throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            declareAndFill(ch, "sp.trim.s");
            assertThat(kept(ch, "sp.trim.s")).as("no retention yet").isEqualTo(MESSAGES);

            assertThat(putPolicy("sp-trim", "^sp\\\\.trim\\\\.", "queues", "{\"max-length-bytes\":20000}")
                    .statusCode()).isEqualTo(201);
            // The PUT answers once the matching streams have trimmed; no segment roll is needed.
            int kept = kept(ch, "sp.trim.s");
            assertThat(kept).as("old segments are gone").isLessThan(MESSAGES).isGreaterThan(100);
            long[] offset = {-1};
            String body = firstBody(c, "sp.trim.s", offset);
            assertThat(offset[0]).as("first moved on").isEqualTo(MESSAGES - kept);
            assertThat(body).startsWith("message-" + (MESSAGES - kept) + "-");

            // Deleting the policy stops the retention; what was deleted stays deleted.
            assertThat(broker.call("DELETE", "/api/policies/%2F/sp-trim", "admin", "pw", null).statusCode())
                    .isEqualTo(204);
            assertThat(kept(ch, "sp.trim.s")).isEqualTo(kept);
        }
    }

    @Test
    void aStreamDeclaredUnderAnAllPolicyTakesItAndTheLowerOfArgumentAndPolicyWins() throws Exception {
        assertThat(putPolicy("sp-new", "^sp\\\\.new\\\\.", "all", "{\"max-length-bytes\":20000,\"max-age\":\"7D\"}")
                .statusCode()).isEqualTo(201);
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            // Names of one length: the routing key is in each stored message, so in the bytes retention counts.
            declareAndFill(ch, "sp.new.p");
            declareAndFill(ch, "sp.new.l", "x-max-length-bytes", 10_000);
            declareAndFill(ch, "sp.new.h", "x-max-length-bytes", 1_000_000);
            int byPolicy = kept(ch, "sp.new.p");
            assertThat(byPolicy).as("the policy applies to a new stream").isLessThan(MESSAGES).isGreaterThan(100);
            assertThat(kept(ch, "sp.new.l")).as("the argument is lower: it wins")
                    .isLessThan(byPolicy);
            assertThat(kept(ch, "sp.new.h")).as("the policy is lower: it wins").isEqualTo(byPolicy);
        } finally {
            broker.call("DELETE", "/api/policies/%2F/sp-new", "admin", "pw", null);
        }
    }

    @Test
    void badStreamPolicyValuesAreRefusedWith400() throws Exception {
        HttpResponse<String> age = putPolicy("sp-bad", "^sp\\\\.bad", "queues", "{\"max-age\":\"7 days\"}");
        assertThat(age.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(age.body()).get("reason").asText()).startsWith("Validation failed")
                .contains("7 days is not a valid max age");
        HttpResponse<String> segment = putPolicy("sp-bad", "^sp\\\\.bad", "queues",
                "{\"stream-max-segment-size-bytes\":4000000000}");
        assertThat(segment.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(segment.body()).get("reason").asText())
                .contains("4000000000 is not a valid segment size");
        assertThat(broker.get("/api/policies/%2F/sp-bad", "admin").statusCode()).isEqualTo(404);
    }
}
