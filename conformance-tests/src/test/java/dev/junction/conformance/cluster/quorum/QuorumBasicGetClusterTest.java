package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code basic.get} on quorum queues in a cluster of three brokers (one JVM), with the stock AMQP 0-9-1 client.
 * AMQP 0-9-1 {@code basic.get}: "provides a direct access to the messages in a queue using a synchronous dialogue";
 * get-ok carries {@code redelivered} and {@code message-count}, get-empty answers a queue with nothing ready, and
 * without {@code no-ack} the message waits for {@code basic.ack}/{@code reject}/{@code nack} as a consumer's does.
 * RabbitMQ "Quorum Queues": a get works from any node, a requeue counts toward {@code x-delivery-limit} (shown in
 * {@code x-delivery-count}), and past it the message is dead-lettered with reason {@code delivery_limit}.
 * One cluster for the class; each test has queues of its own.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumBasicGetClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private QuorumCluster3 cluster;

    /** Every test's queues, declared once for the class. */
    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        Map<String, Map<String, Object>> queues = Map.of(
                "get.remote", Map.of(), "get.empty", Map.of(), "get.noack", Map.of(), "get.ack", Map.of(),
                "get.dlq", Map.of(), "get.limited", Map.of("x-delivery-limit", 1, "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", "get.dlq"),
                "get.close", Map.of(), "get.mixed", Map.of(), "get.large", Map.of());
        cluster.declareQuorumQueues("n1", queues, ch -> { });
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void publishConfirmed(String node, String queue, int count) throws Exception {
        try (Connection c = cluster.connect(node)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            for (int i = 0; i < count; i++) {
                ch.basicPublish("", queue, PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    /** A node that does not lead the queue's group, as n1 knows the leader. */
    private String notTheLeaderOf(String queue) {
        String leader = cluster.node("n1").quorum().orElseThrow().leaderOf("/", queue).orElseThrow();
        return leader.equals("n2") ? "n3" : "n2";
    }

    private static String body(GetResponse r) {
        return new String(r.getBody(), StandardCharsets.UTF_8);
    }

    private static long deliveryCount(GetResponse r) {
        Object c = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders().get("x-delivery-count");
        return c == null ? 0 : ((Number) c).longValue();
    }

    /**
     * basic.get on a node that is not the queue's group leader takes the first message, and get-ok's message-count
     * is what is ready after it. On the old code this was refused with 540 NOT_IMPLEMENTED.
     */
    @Test
    void aGetOnANodeThatDoesNotLeadTheGroupTakesTheFirstMessageAndCountsTheRest() throws Exception {
        publishConfirmed("n1", "get.remote", 3);
        try (Connection c = cluster.connect(notTheLeaderOf("get.remote"))) {
            Channel ch = c.createChannel();
            GetResponse r = ch.basicGet("get.remote", true);
            assertThat(r).as("basic.get-ok").isNotNull();
            assertThat(body(r)).isEqualTo("m0");
            assertThat(r.getEnvelope().isRedeliver()).isFalse();
            assertThat(r.getMessageCount()).as("message-count: ready after this one").isEqualTo(2);
            assertThat(body(ch.basicGet("get.remote", true))).isEqualTo("m1");
            GetResponse last = ch.basicGet("get.remote", true);
            assertThat(body(last)).isEqualTo("m2");
            assertThat(last.getMessageCount()).isZero();
        }
    }

    /** basic.get-empty: the queue has nothing ready. */
    @Test
    void aGetOnAnEmptyQueueIsAnsweredGetEmpty() throws Exception {
        for (String node : QuorumCluster3.IDS) {
            try (Connection c = cluster.connect(node)) {
                assertThat(c.createChannel().basicGet("get.empty", false)).as("get-empty on " + node).isNull();
            }
        }
    }

    /** no-ack: the message leaves the queue with the get; nothing is unacked, nothing comes back on close. */
    @Test
    void aNoAckGetTakesTheMessageForGood() throws Exception {
        publishConfirmed("n2", "get.noack", 1);
        try (Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            assertThat(body(ch.basicGet("get.noack", true))).isEqualTo("m0");
            ch.close();
        }
        try (Connection c = cluster.connect("n1")) {
            assertThat(c.createChannel().basicGet("get.noack", false)).isNull();
        }
    }

    /** Manual ack: the got message is unacked on the channel until basic.ack settles it; then it is gone. */
    @Test
    void aGotMessageAckedIsGone() throws Exception {
        publishConfirmed("n1", "get.ack", 2);
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            GetResponse r = ch.basicGet("get.ack", false);
            assertThat(body(r)).isEqualTo("m0");
            assertThat(r.getMessageCount()).isEqualTo(1);
            // Held, not ready: another get takes the next message.
            GetResponse next = ch.basicGet("get.ack", false);
            assertThat(body(next)).isEqualTo("m1");
            assertThat(next.getMessageCount()).isZero();
            ch.basicAck(next.getEnvelope().getDeliveryTag(), false);
            ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            assertThat(ch.basicGet("get.ack", false)).isNull();
            ch.close(); // nothing unacked is left to go back
        }
        try (Connection c = cluster.connect("n3")) {
            assertThat(c.createChannel().basicGet("get.ack", false)).as("acked messages are gone").isNull();
        }
    }

    /**
     * basic.reject with requeue: the message is back at its place, flagged redelivered with x-delivery-count; past
     * x-delivery-limit it is dead-lettered with reason delivery_limit (RabbitMQ "Quorum Queues", poison messages).
     */
    @Test
    void aRejectWithRequeueRedeliversAndTheDeliveryLimitDeadLettersPastIt() throws Exception {
        publishConfirmed("n3", "get.limited", 2);
        try (Connection c = cluster.connect("n1")) {
            Channel ch = c.createChannel();
            for (int returned = 0; returned <= 1; returned++) {
                GetResponse r = ch.basicGet("get.limited", false);
                assertThat(body(r)).isEqualTo("m0");
                assertThat(r.getEnvelope().isRedeliver()).isEqualTo(returned > 0);
                assertThat(deliveryCount(r)).isEqualTo(returned);
                if (returned == 0) {
                    ch.basicReject(r.getEnvelope().getDeliveryTag(), true);
                } else {
                    ch.basicNack(r.getEnvelope().getDeliveryTag(), false, true);
                }
            }
            GetResponse next = ch.basicGet("get.limited", false);
            assertThat(body(next)).as("m0 left the queue past its limit").isEqualTo("m1");
            ch.basicReject(next.getEnvelope().getDeliveryTag(), false); // no requeue: dead-lettered as rejected
        }
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            QuorumCluster3.await("two dead letters", () -> ch.queueDeclarePassive("get.dlq").getMessageCount() == 2);
            GetResponse first = ch.basicGet("get.dlq", true);
            assertThat(body(first)).isEqualTo("m0");
            assertThat(String.valueOf(first.getProps().getHeaders().get("x-death"))).contains("delivery_limit");
            GetResponse second = ch.basicGet("get.dlq", true);
            assertThat(body(second)).isEqualTo("m1");
            assertThat(String.valueOf(second.getProps().getHeaders().get("x-death"))).contains("rejected");
            assertThat(ch.basicGet("get.limited", false)).isNull();
        }
    }

    /** A channel that closes with a got message unacked gives it back, redelivered, to a get on another node. */
    @Test
    void aClosedChannelGivesItsGotMessageBack() throws Exception {
        publishConfirmed("n1", "get.close", 1);
        try (Connection c = cluster.connect("n2")) {
            Channel ch = c.createChannel();
            assertThat(body(ch.basicGet("get.close", false))).isEqualTo("m0");
            ch.close();
        }
        try (Connection c = cluster.connect("n3")) {
            Channel ch = c.createChannel();
            GetResponse[] again = new GetResponse[1];
            QuorumCluster3.await("m0 back in the queue", () -> (again[0] = ch.basicGet("get.close", false)) != null);
            assertThat(body(again[0])).isEqualTo("m0");
            assertThat(again[0].getEnvelope().isRedeliver()).isTrue();
            ch.basicAck(again[0].getEnvelope().getDeliveryTag(), false);
        }
    }

    /**
     * A get beside a consumer: the get takes only what is ready (not what the consumer holds within its prefetch),
     * and a got message rejected with requeue goes to the consumer once it has room.
     */
    @Test
    void aGetBesideAConsumerTakesOnlyWhatIsReady() throws Exception {
        publishConfirmed("n1", "get.mixed", 2);
        try (Connection a = cluster.connect("n2"); Connection b = cluster.connect("n3")) {
            Channel consumer = a.createChannel();
            BlockingQueue<Envelope> got = new LinkedBlockingQueue<>();
            BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
            consumer.basicQos(1);
            consumer.basicConsume("get.mixed", false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    bodies.add(new String(body, StandardCharsets.UTF_8));
                    got.add(env);
                }
            });
            Envelope first = got.poll(30, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(bodies.poll()).isEqualTo("m0");

            Channel getter = b.createChannel();
            GetResponse r = getter.basicGet("get.mixed", false);
            assertThat(body(r)).isEqualTo("m1");
            assertThat(r.getMessageCount()).isZero();
            assertThat(getter.basicGet("get.mixed", false)).as("m0 is the consumer's").isNull();

            getter.basicReject(r.getEnvelope().getDeliveryTag(), true);
            consumer.basicAck(first.getDeliveryTag(), false);
            Envelope second = got.poll(30, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(bodies.poll()).isEqualTo("m1");
            assertThat(second.isRedeliver()).isTrue();
            consumer.basicAck(second.getDeliveryTag(), false);
        }
    }

    /**
     * A message as large as the broker allows (limits.max_message_size, 16 MiB by default) is one entry in its
     * group's log, and RabbitMQ's quorum queues take messages up to their max_message_size too: a 12 MiB persistent
     * message published with confirms on one node is confirmed, not nacked, and a get on another returns it
     * byte for byte. Before the groups' log limits followed max_message_size, Ratis refused any entry above its
     * default 4 MiB ("exceeds the max buffer limit") and the publish was nacked.
     */
    @Test
    void aMessageOfTwelveMebibytesIsConfirmedAndGotOnAnotherNode() throws Exception {
        byte[] body = new byte[12 << 20];
        new java.util.Random(12).nextBytes(body);
        try (Connection publisher = cluster.connect("n2"); Connection getter = cluster.connect("n3")) {
            Channel ch = publisher.createChannel();
            ch.confirmSelect();
            ch.basicPublish("", "get.large", PERSISTENT, body);
            ch.waitForConfirmsOrDie(60_000);
            Channel get = getter.createChannel();
            GetResponse r = get.basicGet("get.large", true);
            for (int i = 0; i < 300 && r == null; i++) {
                Thread.sleep(50); // n3's replica applies the entry a moment after the leader's commit
                r = get.basicGet("get.large", true);
            }
            assertThat(r).as("the message, got on n3").isNotNull();
            assertThat(r.getBody()).as("byte for byte").isEqualTo(body);
        }
    }
}
