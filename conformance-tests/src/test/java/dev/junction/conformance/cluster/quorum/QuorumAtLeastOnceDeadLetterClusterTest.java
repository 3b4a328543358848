package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once dead-lettering of quorum queues in a cluster of three brokers (one JVM), with the stock AMQP 0-9-1
 * client. RabbitMQ "Quorum Queues", "Dead Lettering", and its post "at-least-once dead-lettering": with {@code
 * x-dead-letter-strategy} {@code at-least-once}, {@code x-overflow} {@code reject-publish} and a dead-letter exchange,
 * a dead-lettered message stays in the source quorum queue, still counting toward its length limit, until every target
 * queue has confirmed it; a dead-letter exchange that routes nowhere keeps it there and it is retried (every 3 s in
 * Junction); the management API counts them as {@code messages_dlx}. Without reject-publish RabbitMQ falls back to
 * at-most-once, and so does Junction: the message is dropped when nothing takes it. One cluster for the class; each
 * test has queues of its own.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumAtLeastOnceDeadLetterClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final String DLX = "alo.dlx";

    private QuorumCluster3 cluster;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        // The dead-letter exchange exists; the queues it should route to do not, yet.
        cluster.declareQuorumQueues("n1", Map.of(
                "alo.src", Map.of("x-max-length", 3, "x-overflow", "reject-publish",
                        "x-dead-letter-strategy", "at-least-once", "x-dead-letter-exchange", DLX,
                        "x-dead-letter-routing-key", "alo.target"),
                "amo.src", Map.of("x-max-length", 3, "x-dead-letter-strategy", "at-least-once",
                        "x-dead-letter-exchange", DLX, "x-dead-letter-routing-key", "amo.target")),
                ch -> ch.exchangeDeclare(DLX, "direct", true));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Publishes {@code body} on {@code node} with confirms; whether the broker acked it. */
    private boolean publish(String node, String queue, String body) throws Exception {
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", queue, PERSISTENT, body.getBytes(StandardCharsets.UTF_8));
            return ch.waitForConfirms(30_000);
        }
    }

    /** Takes {@code count} messages with basic.get on {@code node} and rejects each without requeue. */
    private void rejectAll(String node, String queue, int count) throws Exception {
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            for (int i = 0; i < count; i++) {
                GetResponse r = ch.basicGet(queue, false);
                assertThat(r).as("message " + i + " of " + queue).isNotNull();
                ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
            }
        }
    }

    /** {@code messages_dlx} of the queue in {@code node}'s management API (RabbitMQ's field for quorum queues). */
    private int dlxCount(String node, String queue) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + cluster.node(node).address("http").getPort() + "/api/queues/%2F/" + queue))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Matcher m = Pattern.compile("\"messages_dlx\"\\s*:\\s*(\\d+)").matcher(answer.body());
        assertThat(m.find()).as("messages_dlx in " + answer.body()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /**
     * {@code junction_quorum_dead_letters_pending} summed over the three nodes' {@code /metrics}: each node counts the
     * groups it leads, so the sum is the cluster's count, not three times it.
     */
    private double pendingGaugeSum() throws Exception {
        double sum = 0;
        for (String node : QuorumCluster3.IDS) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + cluster.node(node).address("http").getPort() + "/metrics"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            "guest:guest".getBytes(StandardCharsets.UTF_8)))
                    .GET().build();
            String body = HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^junction_quorum_dead_letters_pending\\{[^}]*} (\\S+)$").matcher(body);
            assertThat(m.find()).as("junction_quorum_dead_letters_pending on " + node).isTrue();
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** Declares a quorum target queue bound to the dead-letter exchange with its own name as key. */
    private void declareTarget(String node, String queue) throws Exception {
        cluster.declareQuorumQueues(node, Map.of(queue, Map.of()), ch -> ch.queueBind(queue, DLX, queue));
    }

    /**
     * at-least-once dead-lettering: three messages rejected (basic.reject, requeue=false) while the dead-letter
     * exchange routes nowhere are not lost: they stay in the source queue and still count toward its x-max-length
     * of 3 (a fourth publish is nacked, as long as they wait, across several retries) and show as {@code
     * messages_dlx} 3 on every node's management API, and 3 summed over the nodes' pending dead letters gauges on
     * {@code /metrics} (each node counts the groups it leads). Once the target queue is
     * declared and bound, all three arrive there within the retry interval, dead-lettered with reason rejected, and
     * then leave the source, which takes publishes again. On the old code the rejected messages were dropped at once
     * and the fourth publish was acked.
     */
    @Test
    void rejectedMessagesWaitInTheSourceUntilTheirTargetExistsThenArrive() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(publish("n1", "alo.src", "m" + i)).as("publish m" + i).isTrue();
        }
        rejectAll("n2", "alo.src", 3);

        assertThat(publish("n3", "alo.src", "over")).as("a publish while three dead letters wait").isFalse();
        for (String node : QuorumCluster3.IDS) {
            QuorumCluster3.await("messages_dlx 3 on " + node, () -> dlxCount(node, "alo.src") == 3);
        }
        QuorumCluster3.await("the pending gauges sum to 3", () -> pendingGaugeSum() == 3);
        Thread.sleep(4_000); // past a retry that found no target
        assertThat(publish("n1", "alo.src", "over")).as("still full after a retry").isFalse();

        declareTarget("n3", "alo.target");
        long bound = System.nanoTime();
        Set<String> arrived = new TreeSet<>();
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            QuorumCluster3.await("three dead letters in the target", () -> {
                GetResponse r = ch.basicGet("alo.target", true);
                if (r != null) {
                    arrived.add(new String(r.getBody(), StandardCharsets.UTF_8));
                    String death = String.valueOf(r.getProps().getHeaders().get("x-death"));
                    assertThat(death).contains("rejected").contains("alo.src");
                }
                return arrived.size() == 3;
            });
        }
        assertThat(arrived).containsExactly("m0", "m1", "m2");
        // The relay retries every 3 s; allow for the binding to reach the leader's node and a slow shared machine.
        assertThat((System.nanoTime() - bound) / 1_000_000).as("ms until all arrived").isLessThan(15_000);

        QuorumCluster3.await("the source settled its dead letters", () -> publish("n2", "alo.src", "after"));
        QuorumCluster3.await("messages_dlx 0 on n3", () -> dlxCount("n3", "alo.src") == 0);
        QuorumCluster3.await("the pending gauges sum to 0", () -> pendingGaugeSum() == 0);
    }

    /**
     * The fallback: at-least-once asked for without x-overflow reject-publish dead-letters at most once (RabbitMQ
     * "Quorum Queues", "Dead Lettering"). Rejected while the dead-letter exchange routes nowhere, the messages are
     * dropped, as before: a target bound later never receives them, and the source has room at once.
     */
    @Test
    void withoutRejectPublishAtLeastOnceFallsBackToAtMostOnceAndDrops() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(publish("n1", "amo.src", "d" + i)).isTrue();
        }
        rejectAll("n2", "amo.src", 3);
        declareTarget("n3", "amo.target");
        Thread.sleep(5_000); // longer than a retry of at-least-once would take
        try (Connection c = cluster.connect("n1")) {
            Channel ch = c.createChannel();
            assertThat(ch.basicGet("amo.target", true)).as("a dropped dead letter").isNull();
            assertThat(ch.queueDeclarePassive("amo.src").getMessageCount()).isZero();
        }
        assertThat(publish("n3", "amo.src", "room")).isTrue();
    }
}
