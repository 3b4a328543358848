package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.cluster.MqttConnects;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Length limits on quorum queues in a cluster of three brokers (one JVM), with the stock AMQP 0-9-1 client.
 * RabbitMQ "Queue Length Limit": {@code x-max-length} counts messages, {@code x-max-length-bytes} the bodies' bytes;
 * with {@code x-overflow} {@code drop-head} (the default) the oldest messages are dropped, or dead-lettered with
 * reason {@code maxlen}; with {@code reject-publish} the newest publish is refused, which a confirming publisher
 * sees as {@code basic.nack} (AMQP 0-9-1 publisher confirms) and an MQTT 5 one as an error PUBACK. RabbitMQ
 * "Quorum Queues": quorum queues have no {@code reject-publish-dlx}. The limit is the replicated queue's, whichever
 * node publishes or consumes. One cluster for the class; each test has queues of its own, declared once.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumLengthLimitClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private QuorumCluster3 cluster;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        Map<String, Map<String, Object>> queues = Map.of(
                "len.drop", Map.of("x-max-length", 5),
                "len.dlx", Map.of("x-max-length", 5, "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", "len.dead"),
                "len.dead", Map.of(),
                "len.reject", Map.of("x-max-length", 5, "x-overflow", "reject-publish"),
                "len.bytes", Map.of("x-max-length-bytes", 10),
                "len.bytes.reject", Map.of("x-max-length-bytes", 10, "x-overflow", "reject-publish"),
                "len.mqtt", Map.of("x-max-length", 1, "x-overflow", "reject-publish"),
                "len.lost.dlx", Map.of("x-max-length", 1, "x-dead-letter-exchange", "no.such.exchange"),
                "len.policy", Map.of());
        // len.mqtt is bound to the MQTT topic len/mqtt
        cluster.declareQuorumQueues("n1", queues, ch -> ch.queueBind("len.mqtt", "amq.topic", "len.mqtt"));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Publishes m0.. one by one with confirms; the delivery tags the broker nacked. */
    private List<Long> publish(String node, String queue, int count) throws Exception {
        ConcurrentLinkedQueue<Long> nacked = new ConcurrentLinkedQueue<>();
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    nacked.add(tag);
                }
            });
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
                // One at a time, so the queue's length when each arrives is known.
                ch.waitForConfirms(30_000);
            }
        }
        return new ArrayList<>(nacked);
    }

    /** Everything ready in the queue, taken with basic.get on {@code node}. */
    private List<String> drain(String node, String queue) throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            for (GetResponse r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
                bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
            }
        }
        return bodies;
    }

    /**
     * Queue Length Limit, drop-head: ten published on n1 to a queue of x-max-length 5 leave the last five, which a
     * client of n2 gets. On the old code the limit was not applied and all ten were there.
     */
    /**
     * A dead-letter exchange that does not exist drops what the limit pushes out, as for a classic queue (RabbitMQ
     * "Dead Letter Exchanges": a missing exchange drops the message). The dead-lettering runs inside the replicated
     * state change on the publisher's node; it used to throw there, so that node's replica skipped the rest of the
     * command and, where it led the group, answered the publisher with a nack. Published from every node in turn,
     * so one of them leads: every publish is confirmed and each node's get finds the one kept.
     */
    @Test
    void dropHeadToAMissingDeadLetterExchangeDropsAndConfirmsOnEveryNode() throws Exception {
        for (String node : QuorumCluster3.IDS) {
            assertThat(publish(node, "len.lost.dlx", 3)).as("nacked on " + node).isEmpty();
            assertThat(drain(QuorumCluster3.IDS[(java.util.List.of(QuorumCluster3.IDS).indexOf(node) + 1) % 3],
                    "len.lost.dlx")).as("kept after publishing on " + node).containsExactly("m2");
        }
    }

    @Test
    void dropHeadKeepsTheLastFiveOfTenPublishedOnAnotherNode() throws Exception {
        assertThat(publish("n1", "len.drop", 10)).as("drop-head confirms every publish").isEmpty();
        assertThat(drain("n2", "len.drop")).containsExactly("m5", "m6", "m7", "m8", "m9");
    }

    /** Queue Length Limit: with a dead-letter exchange the dropped oldest five are dead-lettered, reason maxlen. */
    @Test
    void dropHeadDeadLettersTheDroppedWithReasonMaxlen() throws Exception {
        assertThat(publish("n1", "len.dlx", 10)).isEmpty();
        assertThat(drain("n2", "len.dlx")).containsExactly("m5", "m6", "m7", "m8", "m9");
        try (Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            List<GetResponse> dead = new ArrayList<>();
            QuorumCluster3.await("five dead letters", () -> {
                GetResponse r = ch.basicGet("len.dead", true);
                if (r != null) {
                    dead.add(r);
                }
                return dead.size() == 5;
            });
            List<String> bodies = new ArrayList<>();
            for (GetResponse r : dead) {
                bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
                String death = String.valueOf(r.getProps().getHeaders().get("x-death"));
                assertThat(death).contains("maxlen").contains("len.dlx");
            }
            assertThat(bodies).containsExactly("m0", "m1", "m2", "m3", "m4");
        }
    }

    /**
     * Queue Length Limit, reject-publish: the sixth publish is refused with basic.nack (AMQP 0-9-1 publisher
     * confirms) and nothing is enqueued; the queue keeps the first five.
     */
    @Test
    void rejectPublishNacksTheSixthAndKeepsTheFirstFive() throws Exception {
        assertThat(publish("n1", "len.reject", 6)).as("nacked delivery tags").containsExactly(6L);
        assertThat(drain("n3", "len.reject")).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    /** Queue Length Limit, x-max-length-bytes with drop-head: 10 bytes of two-byte bodies hold the last five. */
    @Test
    void maxLengthBytesDropHeadKeepsTheNewestThatFit() throws Exception {
        assertThat(publish("n2", "len.bytes", 10)).isEmpty();
        assertThat(drain("n1", "len.bytes")).containsExactly("m5", "m6", "m7", "m8", "m9");
    }

    /** Queue Length Limit, x-max-length-bytes with reject-publish: the body that would not fit is nacked. */
    @Test
    void maxLengthBytesRejectPublishNacksWhatWouldNotFit() throws Exception {
        assertThat(publish("n2", "len.bytes.reject", 6)).containsExactly(6L);
        assertThat(drain("n1", "len.bytes.reject")).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    /**
     * reject-publish seen by an MQTT 5 publisher: the QoS 1 PUBLISH the queue refused gets a PUBACK with an error
     * reason, 0x80 Unspecified error (one of PUBACK's reason codes [MQTT-3.4.2-1]; MQTT 5 section 2.4: 0x80 and
     * above are failures), the first one Success.
     */
    @Test
    void rejectPublishAnswersAnMqtt5PublisherWithAnErrorPuback() throws Exception {
        Mqtt5AsyncClient device = Mqtt5Client.builder().identifier("len-device").serverHost("127.0.0.1")
                .serverPort(cluster.node("n3").address("mqtt").getPort()).buildAsync();
        MqttConnects.untilAccepted(() -> device.connectWith().cleanStart(true).simpleAuth().username("guest")
                .password("guest".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
        try {
            assertThat(pubAck(device, "first")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(pubAck(device, "second")).as("PUBACK of the refused publish")
                    .isEqualTo(Mqtt5PubAckReasonCode.UNSPECIFIED_ERROR);
        } finally {
            device.disconnect().get(30, TimeUnit.SECONDS);
        }
        assertThat(drain("n1", "len.mqtt")).containsExactly("first");
    }

    private static Mqtt5PubAckReasonCode pubAck(Mqtt5AsyncClient device, String body) throws Exception {
        try {
            Mqtt5PublishResult r = device.publishWith().topic("len/mqtt").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(body.getBytes(StandardCharsets.UTF_8)).send().get(60, TimeUnit.SECONDS);
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    /** {@code PUT} or {@code DELETE} of policy {@code name} in vhost {@code /} through {@code node}'s management API. */
    private void policy(String node, String method, String name, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + cluster.node(node).address("http").getPort() + "/api/policies/%2F/" + name))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(method + " policy: " + answer.body()).isIn(201, 204);
    }

    private long ready(String node, String queue) throws Exception {
        try (Connection c = cluster.connect(node)) {
            return c.createChannel().queueDeclarePassive(queue).getMessageCount();
        }
    }

    /**
     * RabbitMQ "Policies" and "Queue Length Limit": a policy's {@code max-length} applies to a quorum queue on every
     * replica, as its {@code x-max-length} would. Six messages published on n1; a policy of max-length 2 set through
     * n2's management API drops the oldest four at once (drop-head), as a client of n3 sees; later publishes keep the
     * newest two; with the policy cleared, the queue keeps everything again.
     */
    @Test
    void aPolicysMaxLengthAppliesToAQuorumQueueOnEveryReplica() throws Exception {
        assertThat(publish("n1", "len.policy", 6)).isEmpty();
        policy("n2", "PUT", "qq-len", "{\"pattern\": \"^len\\\\.policy$\", \"apply-to\": \"queues\", "
                + "\"definition\": {\"max-length\": 2}}");
        QuorumCluster3.await("the policy's limit applied on n3's replica", () -> ready("n3", "len.policy") == 2);
        assertThat(drain("n3", "len.policy")).containsExactly("m4", "m5");
        assertThat(publish("n2", "len.policy", 5)).isEmpty();
        assertThat(drain("n1", "len.policy")).containsExactly("m3", "m4");

        policy("n1", "DELETE", "qq-len", null);
        QuorumCluster3.await("the limit lifted with the policy", () -> {
            publish("n3", "len.policy", 3);
            return drain("n3", "len.policy").size() == 3;
        });
    }

    /** RabbitMQ "Quorum Queues": no reject-publish-dlx overflow; refused at declare with 406 PRECONDITION_FAILED. */
    @Test
    void rejectPublishDlxIsRefusedAtDeclare() throws Exception {
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            Map<String, Object> args = Map.of("x-queue-type", "quorum", "x-max-length", 5,
                    "x-overflow", "reject-publish-dlx");
            assertThatThrownBy(() -> ch.queueDeclare("len.dlx.refused", true, false, false, args))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(String.valueOf(e.getCause())).contains("406")
                            .contains("reject-publish-dlx"));
        }
    }
}
