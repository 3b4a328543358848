package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer priorities (also choosing the single active consumer), exclusive consumers, queue.delete's conditions
 * and the counts of a replicated quorum queue in a cluster of three brokers (one JVM), with the stock AMQP
 * 0-9-1 client.
 * The consumers, the publisher and the deleting client are on different nodes: what is judged is the queue's
 * replicated state, not one node's view. One cluster for the class; each test has its own queue, declared once.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuorumPriorityDeleteClusterTest {
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a condition the cluster reaches in milliseconds is waited for before the test fails. */
    private static final long DEADLINE_SECONDS = 15;

    private final HttpClient http = HttpClient.newHttpClient();
    private QuorumCluster3 cluster;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        cluster = new QuorumCluster3(dir);
        cluster.declareQuorumQueues("n1", Map.of("prio", Map.of(), "del", Map.of(),
                "sac", Map.of("x-single-active-consumer", true), "excl.first", Map.of(), "excl.second", Map.of(), "depth", Map.of()),
                ch -> { });
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A consumer that keeps what it was given, unacknowledged until the test acks. */
    private static final class Holding extends DefaultConsumer {
        final List<String> bodies = new ArrayList<>();
        final List<Long> tags = new ArrayList<>();

        Holding(Channel ch) {
            super(ch);
        }

        @Override
        public synchronized void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
            bodies.add(new String(body, StandardCharsets.UTF_8));
            tags.add(env.getDeliveryTag());
        }

        synchronized List<String> bodies() {
            return List.copyOf(bodies);
        }

        synchronized long tag(int i) {
            return tags.get(i);
        }
    }

    /** Consumes {@code queue} on {@code ch} with manual acks, {@code prefetch} and {@code x-priority}. */
    private static Holding consume(Channel ch, String queue, int prefetch, int priority) throws IOException {
        Holding h = new Holding(ch);
        ch.basicQos(prefetch);
        ch.basicConsume(queue, false, "", false, false, Map.of("x-priority", priority), h);
        return h;
    }

    /** Publishes the bodies on {@code ch} and waits for their confirms (each committed by the queue's group). */
    private static void publish(Channel ch, String queue, String... bodies) throws Exception {
        for (String b : bodies) {
            ch.basicPublish("", queue, PERSISTENT, b.getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(30_000);
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * queue.declare-ok's message-count (ready messages) and consumer-count of a quorum queue are its log's, as
     * RabbitMQ answers a quorum queue's declare from its leader: a passive declare on n1 and on n3 right after the
     * last confirm of a batch published on n2 counts every confirmed message, and the consumer on n3 (holding one
     * message under prefetch 1, so the rest stay ready). A follower's replica may not have applied the last enqueues
     * yet: before the counts came from the log, a declare reported fewer. Several rounds, each after a purge, since
     * one round may find the replica caught up by chance; every miscount is collected.
     */
    @Test
    void aPassiveDeclareOnAnyNodeCountsEveryConfirmedMessageAndTheConsumers() throws Exception {
        int perRound = 100;
        try (Connection c1 = cluster.connect("n1"); Connection c2 = cluster.connect("n2");
             Connection c3 = cluster.connect("n3")) {
            Channel pub = c2.createChannel();
            pub.confirmSelect();
            Holding holder = consume(c3.createChannel(), "depth", 1, 0);
            publish(pub, "depth", "held");
            await("the held message on n3", () -> holder.bodies().size() == 1);
            Channel on1 = c1.createChannel();
            Channel on3 = c3.createChannel();
            List<String> miscounts = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                pub.queuePurge("depth");
                String[] bodies = new String[perRound];
                java.util.Arrays.fill(bodies, "round " + round);
                publish(pub, "depth", bodies);
                AMQP.Queue.DeclareOk ok1 = on1.queueDeclarePassive("depth");
                AMQP.Queue.DeclareOk ok3 = on3.queueDeclarePassive("depth");
                for (AMQP.Queue.DeclareOk ok : List.of(ok1, ok3)) {
                    if (ok.getMessageCount() != perRound || ok.getConsumerCount() != 1) {
                        miscounts.add("round " + round + " on " + (ok == ok1 ? "n1" : "n3") + ": "
                                + ok.getMessageCount() + " ready, " + ok.getConsumerCount() + " consumers");
                    }
                }
            }
            assertThat(miscounts).as("declare-ok counts other than %d ready and 1 consumer", perRound).isEmpty();
            assertThat(holder.bodies()).as("prefetch 1, never acked").containsExactly("held");
        }
    }

    /**
     * RabbitMQ "Consumer Priorities": messages go to the highest-priority consumer while it has room under its
     * prefetch; a lower-priority one gets messages only when the higher one is blocked, and the higher one gets them
     * again as soon as an ack gives it room. A consumer with x-priority 10 and prefetch 3 on n2 and one with
     * x-priority 0 on n3, the publisher on n1. On the code before priorities were replicated the two took turns.
     */
    @Test
    void theHighPriorityConsumerGetsEverythingWhileItHasCredit() throws Exception {
        try (Connection publisher = cluster.connect("n1"); Connection c2 = cluster.connect("n2");
             Connection c3 = cluster.connect("n3")) {
            Channel highCh = c2.createChannel();
            Holding high = consume(highCh, "prio", 3, 10);
            Holding low = consume(c3.createChannel(), "prio", 10, 0);
            Channel pub = publisher.createChannel();
            pub.confirmSelect();
            // queue.declare-ok's consumer-count on the publisher's node: this node's replica counts both
            await("both consumers on n1's replica", () -> pub.queueDeclarePassive("prio").getConsumerCount() == 2);

            publish(pub, "prio", "m0", "m1", "m2");
            await("three deliveries", () -> high.bodies().size() + low.bodies().size() == 3);
            assertThat(high.bodies()).as("priority 10, with credit").containsExactly("m0", "m1", "m2");
            assertThat(low.bodies()).isEmpty();

            publish(pub, "prio", "m3", "m4", "m5"); // the high one is at its prefetch: blocked
            await("six deliveries", () -> high.bodies().size() + low.bodies().size() == 6);
            assertThat(low.bodies()).as("priority 0, once priority 10 is full").containsExactly("m3", "m4", "m5");

            highCh.basicAck(high.tag(0), false); // room for one more
            // A get on the same channel goes to the log after the ack's settle: once answered, the settle is in.
            assertThat(highCh.basicGet("prio", true)).as("nothing ready: every message is held").isNull();
            publish(pub, "prio", "m6");
            await("seven deliveries", () -> high.bodies().size() + low.bodies().size() == 7);
            assertThat(high.bodies()).as("priority 10 has room again").containsExactly("m0", "m1", "m2", "m6");
            assertThat(low.bodies()).containsExactly("m3", "m4", "m5");
        }
    }

    /**
     * RabbitMQ "Consumers", Single Active Consumer: on a quorum queue a consumer that registers with a higher
     * priority than the active one makes the queue stop delivering to the active one, and becomes active once the
     * active one's messages are acknowledged. A priority-0 consumer on n2, alone, gets m0 and m1 and holds them; a
     * priority-10 one attaches on n3; m2, published on n1, stays ready (no consumer is given it while the low one
     * holds messages); once the low one acks, m2 and then m3 go to the high one, and the low one gets nothing more.
     * On the code before this the consumer attached first stayed active and the high one got nothing.
     */
    @Test
    void aHigherPriorityConsumerBecomesTheSingleActiveOneOnceTheActiveOneAcked() throws Exception {
        try (Connection publisher = cluster.connect("n1"); Connection c2 = cluster.connect("n2");
             Connection c3 = cluster.connect("n3")) {
            Channel lowCh = c2.createChannel();
            Holding low = consume(lowCh, "sac", 10, 0);
            Channel pub = publisher.createChannel();
            pub.confirmSelect();
            await("the low consumer on n1's replica", () -> pub.queueDeclarePassive("sac").getConsumerCount() == 1);
            publish(pub, "sac", "m0", "m1");
            await("m0 and m1 on the low consumer", () -> low.bodies().size() == 2);

            Holding high = consume(c3.createChannel(), "sac", 10, 10);
            // Once n1's replica counts it, the attach is in the log before the next publish's enqueue.
            await("both consumers on n1's replica", () -> pub.queueDeclarePassive("sac").getConsumerCount() == 2);
            publish(pub, "sac", "m2");
            // Every replica applies the enqueue alike: ready on n1's means no consumer was given m2 by it.
            await("m2 ready on n1's replica", () -> pub.queueDeclarePassive("sac").getMessageCount() == 1);
            assertThat(high.bodies()).as("the high one waits while the active one holds m0 and m1").isEmpty();

            lowCh.basicAck(low.tag(1), true);
            await("m2 on the high consumer", () -> high.bodies().size() == 1);
            publish(pub, "sac", "m3");
            await("m3 on the high consumer", () -> high.bodies().size() == 2);
            assertThat(high.bodies()).as("priority 10, active").containsExactly("m2", "m3");
            assertThat(low.bodies()).as("priority 0, no longer active").containsExactly("m0", "m1");
        }
    }

    /**
     * AMQP 0-9-1 {@code basic.consume} {@code exclusive}: "Request exclusive consumer access, meaning only this
     * consumer can access the queue"; RabbitMQ refuses any other consumer of the queue, on whichever node, with 403
     * ACCESS_REFUSED. An exclusive consumer on n1, then a plain consume on n2: refused, the channel closed; once the
     * exclusive one is cancelled (and n2's replica has applied its detach) the same consume on n2 is taken. On the
     * code before this the consume on n2 was taken while the exclusive consumer was there.
     */
    @Test
    void anExclusiveConsumerOnOneNodeRefusesAConsumerOnAnotherUntilCancelled() throws Exception {
        try (Connection c1 = cluster.connect("n1"); Connection c2 = cluster.connect("n2")) {
            Channel exclusiveCh = c1.createChannel();
            String exclusive = exclusiveCh.basicConsume("excl.first", false, "", false, true, Map.of(),
                    new Holding(exclusiveCh));

            assertThat(consumeRefused(c2, "excl.first", false))
                    .isEqualTo("ACCESS_REFUSED - queue 'excl.first' in vhost '/' in exclusive use");

            // cancel-ok does not wait for the log; n2's replica counting the consumer, then none, means the detach
            // is committed.
            await("the exclusive consumer on n2's replica", () ->
                    c2.createChannel().queueDeclarePassive("excl.first").getConsumerCount() == 1);
            exclusiveCh.basicCancel(exclusive);
            await("no consumer on n2's replica", () ->
                    c2.createChannel().queueDeclarePassive("excl.first").getConsumerCount() == 0);
            Channel ch = c2.createChannel();
            String plain = ch.basicConsume("excl.first", false, new Holding(ch));
            assertThat(ch.isOpen()).isTrue();
            // consume-ok follows the commit; this node's replica may apply it a moment later.
            await("the consumer on n2's replica", () -> ch.queueDeclarePassive("excl.first").getConsumerCount() == 1);
            ch.basicCancel(plain);
        }
    }

    /**
     * AMQP 0-9-1 {@code basic.consume} {@code exclusive} on a queue that already has a consumer: RabbitMQ refuses it
     * with 403 ACCESS_REFUSED, whichever node the other consumer is on. A plain consumer on n2, then an exclusive
     * consume on n3: refused, and the queue keeps its one consumer; the refusal left nothing attached, so once that
     * one is cancelled the same exclusive consume on n3 is taken. On the code before this the exclusive consumer was
     * taken beside the other.
     */
    @Test
    void anExclusiveConsumeIsRefusedWhileAConsumerOnAnotherNodeExists() throws Exception {
        try (Connection c2 = cluster.connect("n2"); Connection c3 = cluster.connect("n3")) {
            Channel plainCh = c2.createChannel();
            String plain = plainCh.basicConsume("excl.second", false, new Holding(plainCh));

            assertThat(consumeRefused(c3, "excl.second", true))
                    .isEqualTo("ACCESS_REFUSED - queue 'excl.second' in vhost '/' in exclusive use");
            await("the one consumer on n3's replica", () ->
                    c3.createChannel().queueDeclarePassive("excl.second").getConsumerCount() == 1);
            plainCh.basicCancel(plain);
            await("no consumer on n3's replica", () ->
                    c3.createChannel().queueDeclarePassive("excl.second").getConsumerCount() == 0);
            Channel ch = c3.createChannel();
            String exclusive = ch.basicConsume("excl.second", false, "", false, true, Map.of(), new Holding(ch));
            assertThat(ch.isOpen()).isTrue();
            ch.basicCancel(exclusive);
        }
    }

    /**
     * AMQP 0-9-1 {@code queue.delete}: with {@code if-unused} a queue with consumers, and with {@code if-empty} one
     * holding messages, is not deleted (406 PRECONDITION_FAILED, as for a classic queue), judged on the replicated
     * queue whichever node the consumer is on and whether the messages are ready or held unacknowledged; once
     * neither holds, the same delete goes through. The management API's delete with {@code if-empty} likewise, and
     * it and queue.declare-ok count this node's replica's ready messages and consumers. On the code before this the
     * deletes went through and the management API counted 0.
     */
    @Test
    void deleteIfUnusedAndIfEmptyAreRefusedWhileTheQueueIsUsedThenAllowed() throws Exception {
        try (Connection publisher = cluster.connect("n1"); Connection deleting = cluster.connect("n2");
             Connection consuming = cluster.connect("n3")) {
            Channel consumerCh = consuming.createChannel();
            Holding consumer = consume(consumerCh, "del", 1, 0);
            Channel pub = publisher.createChannel();
            pub.confirmSelect();
            publish(pub, "del", "d0", "d1"); // d0 held by the consumer on n3, d1 ready
            await("d0 delivered", () -> consumer.bodies().size() == 1);

            await("one ready and one consumer in n2's declare-ok", () -> {
                AMQP.Queue.DeclareOk ok = deleting.createChannel().queueDeclarePassive("del");
                return ok.getMessageCount() == 1 && ok.getConsumerCount() == 1;
            });
            int http2 = cluster.node("n2").address("http").getPort();
            await("the management API's counts on n2", () -> {
                JsonNode q = JSON.readTree(api(http2, "GET", "/api/queues/%2F/del").body());
                return q.path("messages_ready").asInt() == 1 && q.path("messages_unacknowledged").asInt() == 1
                        && q.path("consumers").asInt() == 1 && q.path("messages").asInt() == 2;
            });

            assertThat(deleteRefused(deleting, true, false))
                    .isEqualTo("PRECONDITION_FAILED - queue 'del' in vhost '/' in use");
            assertThat(deleteRefused(deleting, false, true))
                    .isEqualTo("PRECONDITION_FAILED - queue 'del' in vhost '/' is not empty");
            HttpResponse<String> refused = api(http2, "DELETE", "/api/queues/%2F/del?if-empty=true");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(refused.body()).contains("is not empty");

            consumerCh.basicAck(consumer.tag(0), false);
            await("d1 delivered", () -> consumer.bodies().size() == 2);
            // Held unacknowledged, nothing ready: still not empty.
            assertThat(deleteRefused(deleting, false, true))
                    .isEqualTo("PRECONDITION_FAILED - queue 'del' in vhost '/' is not empty");
            consumerCh.basicAck(consumer.tag(1), false);
            consumerCh.basicCancel(consumer.getConsumerTag());
            await("no consumer on n2's replica", () ->
                    deleting.createChannel().queueDeclarePassive("del").getConsumerCount() == 0);

            Channel ch = deleting.createChannel();
            ch.queueDelete("del", true, true);
            for (String node : QuorumCluster3.IDS) {
                await("del gone on " + node, () -> !cluster.exists(node, "del"));
            }
        }
    }

    /** basic.consume of {@code queue} on a fresh channel of {@code c}, refused with 403; the reply text. */
    private static String consumeRefused(Connection c, String queue, boolean exclusive) throws IOException {
        Channel ch = c.createChannel();
        Exception e = assertThrows(IOException.class, () ->
                ch.basicConsume(queue, false, "", false, exclusive, Map.of(), new Holding(ch)));
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
        assertThat(close.getReplyCode()).as(close.getReplyText()).isEqualTo(403);
        assertThat(ch.isOpen()).as("the channel is closed").isFalse();
        return close.getReplyText();
    }

    /** queue.delete with the conditions given on a fresh channel of {@code c}; the refusal's reply text. */
    private static String deleteRefused(Connection c, boolean ifUnused, boolean ifEmpty) throws IOException {
        Channel ch = c.createChannel();
        Exception e = assertThrows(IOException.class, () -> ch.queueDelete("del", ifUnused, ifEmpty));
        AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) e.getCause()).getReason();
        assertThat(close.getReplyCode()).isEqualTo(406);
        return close.getReplyText();
    }

    /** A management API request on a node as its default user (guest, from loopback). */
    private HttpResponse<String> api(int port, String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
