package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ's RPC replies in a cluster (docs/cluster.md, "Queues of one node" and "Direct reply-to across nodes"): a
 * reply published on any node reaches a requester on another, through an exclusive reply queue or direct reply-to,
 * by way of the requester's node's relay, which no client may use itself. The tests use names of their own and
 * share one three-node cluster.
 */
class ClusterRepliesTest {

    @TempDir
    static Path dir;
    private static ThreeNodes nodes;

    @BeforeAll
    static void startNodes() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    /**
     * RabbitMQ's RPC pattern (tutorial 6, "Remote procedure call"; the {@code reply_to} and {@code correlation_id}
     * properties of AMQP 0-9-1): a client declares a server-named exclusive queue and sends each request with
     * {@code reply_to} naming it; the server publishes the reply to the default exchange with that name as routing
     * key, and in a RabbitMQ cluster it reaches the client whatever node either is on. Here the reply queue is its
     * node's alone, and a reply published on another node goes through that node's relay, which has a binding for
     * the queue's name before the declare-ok (docs/cluster.md, "Queues of one node"): a client on n1, a server on n2
     * consuming a quorum request queue and replying with {@code mandatory} and confirms, gets every reply with its
     * correlation id and nothing is returned; a reply published on n3 arrives too. Once the queue is deleted, the
     * relay's binding goes with a reconciling pass and a mandatory publish to the name is returned again. Failed
     * before the default exchange was relayed: the replies published on n2 were returned as unroutable.
     */
    @Test
    void aReplyToAnExclusiveQueueOfAnotherNodeArrives() throws Exception {
        try (Connection c1 = nodes.connect("n1"); Connection c2 = nodes.connect("n2");
             Connection c3 = nodes.connect("n3")) {
            Channel server = c2.createChannel();
            server.queueDeclare("rpc.requests", true, false, false, java.util.Map.of("x-queue-type", "quorum"));
            Channel replies = c2.createChannel();
            replies.confirmSelect();
            AtomicInteger returned = new AtomicInteger();
            replies.addReturnListener(r -> returned.incrementAndGet());
            server.basicConsume("rpc.requests", true, (tag, d) -> replies.basicPublish("", d.getProperties()
                    .getReplyTo(), true, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .correlationId(d.getProperties().getCorrelationId()).build(),
                    ("re:" + new String(d.getBody(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)),
                    tag -> { });

            Channel client = c1.createChannel();
            client.confirmSelect();
            String replyTo = client.queueDeclare().getQueue(); // server-named, exclusive, auto-delete, transient
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            client.basicConsume(replyTo, true, (tag, d) -> got.add(d.getProperties().getCorrelationId() + "="
                    + new String(d.getBody(), StandardCharsets.UTF_8)), tag -> { });
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                client.basicPublish("", "rpc.requests", true, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                        .replyTo(replyTo).correlationId("c" + i).build(), ("q" + i).getBytes(StandardCharsets.UTF_8));
                expected.add("c" + i + "=re:q" + i);
            }
            client.waitForConfirmsOrDie(30_000);
            assertThat(awaitReplies(got, expected.size())).containsExactlyInAnyOrderElementsOf(expected);
            replies.waitForConfirmsOrDie(30_000);
            assertThat(returned).as("replies returned as unroutable on n2").hasValue(0);

            Channel fromN3 = c3.createChannel();
            fromN3.confirmSelect();
            AtomicInteger returnedOnN3 = new AtomicInteger();
            fromN3.addReturnListener(r -> returnedOnN3.incrementAndGet());
            fromN3.basicPublish("", replyTo, true, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .correlationId("n3").build(), "direct".getBytes(StandardCharsets.UTF_8));
            fromN3.waitForConfirmsOrDie(30_000);
            assertThat(got.poll(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("n3=direct");
            assertThat(returnedOnN3).hasValue(0);

            client.queueDelete(replyTo);
            ThreeNodes.await("a publish to the deleted queue's name returned on n3", () -> {
                fromN3.basicPublish("", replyTo, true, null, "late".getBytes(StandardCharsets.UTF_8));
                fromN3.waitForConfirmsOrDie(30_000);
                return returnedOnN3.get() > 0;
            });
            server.queueDelete("rpc.requests");
        }
    }

    /**
     * A node's relay carries what other nodes route to its queues of one node, other users' replies among them, so
     * no client may use it (docs/cluster.md, "Queues of one node"): consuming, getting, purging, deleting, binding
     * or publishing to it through the default exchange is refused with 403 ACCESS_REFUSED on every node, to an
     * administrator too, while direct reply-to across nodes (which the relay carries) keeps working. Before, a
     * client of another node consumed {@code junction.relay.n1} and took half the replies meant for a requester
     * on n1.
     */
    @Test
    void noClientUsesANodesRelay() throws Exception {
        try (Connection c1 = nodes.connect("n1"); Connection c3 = nodes.connect("n3")) {
            Channel requester = c1.createChannel();
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            requester.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> got.add(
                    new String(d.getBody(), StandardCharsets.UTF_8)), tag -> { });
            String relay = "junction.relay.n1";
            List<ThrowingUse> uses = List.of(
                    ch -> ch.basicConsume(relay, true, (tag, d) -> { }, tag -> { }),
                    ch -> ch.basicGet(relay, true),
                    ch -> ch.queuePurge(relay),
                    ch -> ch.queueDelete(relay),
                    ch -> ch.queueBind(relay, "amq.fanout", ""),
                    ch -> ch.queueDeclarePassive(relay),
                    ch -> {
                        ch.confirmSelect();
                        ch.basicPublish("", relay, null, "forged".getBytes(StandardCharsets.UTF_8));
                        ch.waitForConfirmsOrDie(30_000);
                    });
            for (Connection c : List.of(c1, c3)) {
                for (ThrowingUse use : uses) {
                    Channel ch = c.createChannel();
                    assertThatThrownBy(() -> use.on(ch)).as("a client's use of the relay")
                            .hasStackTraceContaining("ACCESS_REFUSED")
                            .hasStackTraceContaining("is a cluster node's relay");
                }
            }
            // The relay still carries a reply from n3 to the requester on n1.
            String requests = requester.queueDeclare().getQueue();
            requester.basicPublish("", requests, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .replyTo("amq.rabbitmq.reply-to").build(), new byte[0]);
            com.rabbitmq.client.GetResponse request = null;
            for (int i = 0; i < 200 && request == null; i++) {
                request = requester.basicGet(requests, true);
                if (request == null) {
                    Thread.sleep(25);
                }
            }
            assertThat(request).as("the request").isNotNull();
            String name = request.getProps().getReplyTo();
            Channel replier = c3.createChannel();
            replier.basicPublish("", name, null, "reply".getBytes(StandardCharsets.UTF_8));
            assertThat(got.poll(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("reply");
        }
    }

    private interface ThrowingUse {
        void on(Channel ch) throws Exception;
    }

    /**
     * RabbitMQ's direct reply-to works with the requester and the replier on different nodes
     * (rabbitmq.com/docs/direct-reply-to: the name a request carries says where its consumer is), as Spring AMQP's
     * RabbitTemplate uses it; so here (docs/cluster.md, "Direct reply-to across nodes"): a client on n1 consuming
     * {@code amq.rabbitmq.reply-to} sends 20 requests into a quorum queue; a server on n2 replies to the default
     * exchange with the rewritten {@code reply_to} as routing key, {@code mandatory} and confirms; every reply arrives
     * once with its correlation id and none is returned; a reply published on n3 arrives too. Once the client's
     * channel closed, a mandatory reply published on n2 went into n1's relay, which counts as routed, so it is
     * confirmed and not returned (n1 drops it), while one published on n1, which can tell, is returned as alone.
     * Failed before: the replies published on n2 were returned as unroutable.
     */
    @Test
    void directReplyToWorksAcrossNodes() throws Exception {
        try (Connection c1 = nodes.connect("n1"); Connection c2 = nodes.connect("n2");
             Connection c3 = nodes.connect("n3")) {
            Channel server = c2.createChannel();
            server.queueDeclare("rpc.direct", true, false, false, java.util.Map.of("x-queue-type", "quorum"));
            Channel replies = c2.createChannel();
            replies.confirmSelect();
            AtomicInteger returned = new AtomicInteger();
            replies.addReturnListener(r -> returned.incrementAndGet());
            java.util.concurrent.atomic.AtomicReference<String> replyTo = new java.util.concurrent.atomic
                    .AtomicReference<>();
            server.basicConsume("rpc.direct", true, (tag, d) -> {
                replyTo.set(d.getProperties().getReplyTo());
                replies.basicPublish("", d.getProperties().getReplyTo(), true,
                        new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                                .correlationId(d.getProperties().getCorrelationId()).build(),
                        ("re:" + new String(d.getBody(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            }, tag -> { });

            Channel client = c1.createChannel();
            client.confirmSelect();
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            client.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> got.add(d.getProperties()
                    .getCorrelationId() + "=" + new String(d.getBody(), StandardCharsets.UTF_8)), tag -> { });
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                client.basicPublish("", "rpc.direct", true, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                        .replyTo("amq.rabbitmq.reply-to").correlationId("c" + i).build(),
                        ("q" + i).getBytes(StandardCharsets.UTF_8));
                expected.add("c" + i + "=re:q" + i);
            }
            client.waitForConfirmsOrDie(30_000);
            assertThat(awaitReplies(got, expected.size())).containsExactlyInAnyOrderElementsOf(expected);
            replies.waitForConfirmsOrDie(30_000);
            assertThat(returned).as("replies returned as unroutable on n2").hasValue(0);
            assertThat(replyTo.get()).startsWith("amq.rabbitmq.reply-to.");

            Channel fromN3 = c3.createChannel();
            fromN3.confirmSelect();
            AtomicInteger returnedOnN3 = new AtomicInteger();
            fromN3.addReturnListener(r -> returnedOnN3.incrementAndGet());
            fromN3.basicPublish("", replyTo.get(), true, new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .correlationId("n3").build(), "direct".getBytes(StandardCharsets.UTF_8));
            fromN3.waitForConfirmsOrDie(30_000);
            assertThat(got.poll(30, java.util.concurrent.TimeUnit.SECONDS)).as("each reply once, then n3's")
                    .isEqualTo("n3=direct");
            assertThat(returnedOnN3).hasValue(0);

            client.close();
            // A basic.return comes before the publish's confirm, so none by the confirm is none at all.
            replies.basicPublish("", replyTo.get(), true, null, "late".getBytes(StandardCharsets.UTF_8));
            replies.waitForConfirmsOrDie(30_000);
            assertThat(returned).as("a late reply relayed from n2 is routed, then dropped on n1").hasValue(0);
            Channel fromN1 = c1.createChannel();
            fromN1.confirmSelect();
            AtomicInteger returnedOnN1 = new AtomicInteger();
            fromN1.addReturnListener(r -> returnedOnN1.incrementAndGet());
            fromN1.basicPublish("", replyTo.get(), true, null, "late".getBytes(StandardCharsets.UTF_8));
            fromN1.waitForConfirmsOrDie(30_000);
            assertThat(returnedOnN1).as("a late reply on the requester's node").hasValue(1);
            assertThat(got).isEmpty();
            server.queueDelete("rpc.direct");
        }
    }

    /** The next {@code count} replies, each within 30 s of the one before. */
    private static List<String> awaitReplies(BlockingQueue<String> got, int count) throws InterruptedException {
        List<String> received = new java.util.ArrayList<>();
        while (received.size() < count) {
            String m = got.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a reply within 30 s; got %s", received).isNotNull();
            received.add(m);
        }
        return received;
    }
}
