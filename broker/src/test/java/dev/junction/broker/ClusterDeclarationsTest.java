package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declarations in a cluster are linearizable (docs/cluster.md): once a stock AMQP 0-9-1 client got declare-ok
 * (or delete-ok, bind-ok) from one node, a client of another node finds the change at once; the Raft state is in
 * Prometheus and the management API. These tests leave every node running and use names of their own, so they share
 * one cluster (three nodes and their first election cost seconds). A node without a majority refusing declarations
 * is {@link DeclarationsWithoutMajorityTest}'s; the leader's own reads between its writes,
 * {@link LeaderOwnReadsTest}'s.
 */
class ClusterDeclarationsTest {

    @TempDir
    static Path dir;
    private static ThreeNodes nodes;

    @BeforeAll
    static void startNodes() throws Exception {
        // n1 alone has a definitions file (aDefinitionsFileGivenToOneNodeIsImportedForEveryNode), with names of its
        // own: vhost defs.
        Path definitions = ClusterDefinitionsFiles.write(dir, "definitions.json", "");
        nodes = new ThreeNodes(dir, "").nodeConfig("n1", ClusterDefinitionsFiles.configLine(definitions)).startAll();
    }

    /**
     * RabbitMQ's definitions import on boot fills the cluster's replicated schema store, so what one node's file
     * holds is on every node (rabbitmq.com/docs/definitions); so here, through the metadata log (docs/cluster.md,
     * "Definitions files"): with n1's file imported, a stock client on n2 and on n3 logs in as the file's user,
     * finds its exchange, classic queue and quorum queue with passive declares, and publishes through its bindings
     * into both queues, and the file's policy is on the queue there.
     */
    @Test
    void aDefinitionsFileGivenToOneNodeIsImportedForEveryNode() throws Exception {
        assertThat(nodes.broker("n1").definitionsImported().get(60, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        for (String id : List.of("n2", "n3")) {
            ClusterDefinitionsFiles.usableOn(nodes, id);
        }
    }

    @AfterAll
    static void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void whatOneNodeAnsweredAnotherNodeFindsAtOnce() throws Exception {
        // Two followers: the one declaring waits for its own apply, the one reading for the leader's read index.
        List<String> followers = nodes.followers();
        String a = followers.get(0);
        String b = followers.get(1);
        try (Connection ca = nodes.connect(a); Connection cb = nodes.connect(b)) {
            Channel onA = ca.createChannel();
            Channel onB = cb.createChannel();
            onB.confirmSelect();
            AtomicInteger returned = new AtomicInteger();
            onB.addReturnListener(r -> returned.incrementAndGet());
            for (int i = 0; i < 20; i++) {
                String x = "lin.x" + i;
                String q = "lin.q" + i;
                onA.exchangeDeclare(x, "direct", true);
                onA.queueDeclare(q, true, false, false, null);
                onA.queueBind(q, x, "k");
                // No wait: the answers above promise that every node has the three definitions now.
                onB.exchangeDeclarePassive(x);
                assertThat(onB.queueDeclarePassive(q).getQueue()).isEqualTo(q);
                onB.basicPublish(x, "k", true, null, "m".getBytes(StandardCharsets.UTF_8));
                onB.waitForConfirmsOrDie(10_000);
                assertThat(returned).as("publish through the binding on " + b).hasValue(0);

                onA.queueUnbind(q, x, "k");
                // Publishing reads this node's bindings without asking the log; a passive declare first makes
                // this node current with every answered change, so the publish after it sees the unbind.
                onB.queueDeclarePassive(q);
                onB.basicPublish(x, "k", true, null, "m".getBytes(StandardCharsets.UTF_8));
                onB.waitForConfirmsOrDie(10_000);
                assertThat(returned).as("the binding gone on " + b).hasValue(1);
                returned.set(0);

                onA.queueDelete(q);
                onA.exchangeDelete(x);
                Channel probe = cb.createChannel();
                assertThatThrownBy(() -> probe.queueDeclarePassive(q)).hasStackTraceContaining("404");
                Channel probe2 = cb.createChannel();
                assertThatThrownBy(() -> probe2.exchangeDeclarePassive(x)).hasStackTraceContaining("404");
            }
        }
    }

    /**
     * RabbitMQ's publish/subscribe: a subscriber's server-named exclusive queue, bound on its node to a durable
     * fanout exchange and to {@code amq.topic}, gets what is published on every node, each message once and in order
     * per publisher, as in a RabbitMQ cluster, where such a queue lives on one node and is reached from all. Here the
     * queue and its bindings are its node's alone, and the other nodes' publishes come through that node's relay
     * (docs/cluster.md, "Queues of one node"); the bind-ok comes once the relay has the binding, so nothing published
     * after it is missed. Failed before the relay: the queue got only its own node's publishes.
     */
    @Test
    void aSubscribersExclusiveQueueGetsWhatEveryNodePublishesOnce() throws Exception {
        try (Connection c1 = nodes.connect("n1"); Connection c2 = nodes.connect("n2");
             Connection c3 = nodes.connect("n3")) {
            Channel sub = c1.createChannel();
            sub.exchangeDeclare("relay.logs", "fanout", true);
            String q = sub.queueDeclare().getQueue(); // server-named, exclusive, auto-delete, transient
            sub.queueBind(q, "relay.logs", "");
            sub.queueBind(q, "amq.topic", "relay.sensors.*");
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            sub.basicConsume(q, true, (tag, d) -> got.add(new String(d.getBody(), StandardCharsets.UTF_8)),
                    tag -> { });
            List<String> sent = new java.util.ArrayList<>();
            for (Connection c : List.of(c2, c3, c1)) {
                Channel pub = c.createChannel();
                pub.confirmSelect();
                String node = c == c2 ? "n2" : c == c3 ? "n3" : "n1";
                for (int i = 0; i < 3; i++) {
                    pub.basicPublish("relay.logs", "", null, (node + "-log" + i).getBytes(StandardCharsets.UTF_8));
                    pub.basicPublish("amq.topic", "relay.sensors.t" + i, null,
                            (node + "-topic" + i).getBytes(StandardCharsets.UTF_8));
                    sent.add(node + "-log" + i);
                    sent.add(node + "-topic" + i);
                }
                pub.waitForConfirmsOrDie(30_000);
            }
            // Last, from n2 again: through the same relay as n2's first messages, so a copy of n1's own publishes
            // sent through n1's relay as well would come before it.
            Channel last = c2.createChannel();
            last.basicPublish("relay.logs", "", null, "end".getBytes(StandardCharsets.UTF_8));
            List<String> received = new java.util.ArrayList<>();
            while (!received.contains("end")) {
                String m = got.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(m).as("a message within 30 s; got %s", received).isNotNull();
                received.add(m);
            }
            received.remove("end");
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
            for (String node : List.of("n1", "n2", "n3")) {
                assertThat(received.stream().filter(m -> m.startsWith(node + "-")).toList())
                        .as("in order per publisher")
                        .containsExactlyElementsOf(sent.stream().filter(m -> m.startsWith(node + "-")).toList());
            }
        }
    }

    /**
     * RabbitMQ's default queue type (rabbitmq.com/docs/vhosts, "Default Queue Type"; {@code default_queue_type} in
     * rabbitmq.conf): a queue declared without {@code x-queue-type} that is durable, not exclusive and not
     * auto-delete gets the default; exclusive queues stay classic. Here {@code cluster.default_queue_type} is quorum
     * by default (docs/cluster.md, "Default queue type"): such a queue declared on n1 takes every message published
     * with confirms on n2 and n3 to a manual-ack consumer on n1, a redeclaration without a type on n3 is answered
     * (no 406), the management API calls it a quorum queue with RabbitMQ's {@code leader} and {@code members} (and
     * {@code node} the leader: failed before, the API showed {@code junction@localhost} and neither field), and an
     * exclusive queue declared without a type is classic. Failed before the default: the queue was classic, a separate copy on each node, and n1's consumer
     * got none of the messages published on n2 and n3.
     */
    @Test
    void aDurableQueueDeclaredWithoutATypeIsAQuorumQueueReachedFromEveryNode() throws Exception {
        try (Connection c1 = nodes.connect("n1"); Connection c2 = nodes.connect("n2");
             Connection c3 = nodes.connect("n3")) {
            Channel onN1 = c1.createChannel();
            onN1.queueDeclare("dqt.orders", true, false, false, null);
            List<String> sent = new java.util.ArrayList<>();
            for (Connection c : List.of(c2, c3)) {
                Channel pub = c.createChannel();
                pub.confirmSelect();
                for (int i = 0; i < 5; i++) {
                    String body = (c == c2 ? "n2-" : "n3-") + i;
                    pub.basicPublish("", "dqt.orders", com.rabbitmq.client.MessageProperties.PERSISTENT_BASIC,
                            body.getBytes(StandardCharsets.UTF_8));
                    sent.add(body);
                }
                pub.waitForConfirmsOrDie(30_000);
            }
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            onN1.basicQos(20);
            onN1.basicConsume("dqt.orders", false, (tag, d) -> {
                got.add(new String(d.getBody(), StandardCharsets.UTF_8));
                onN1.basicAck(d.getEnvelope().getDeliveryTag(), false);
            }, tag -> { });
            List<String> received = new java.util.ArrayList<>();
            while (received.size() < sent.size()) {
                String m = got.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(m).as("a message within 30 s; got %s", received).isNotNull();
                received.add(m);
            }
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);

            Channel onN3 = c3.createChannel();
            assertThat(onN3.queueDeclare("dqt.orders", true, false, false, null).getQueue()).isEqualTo("dqt.orders");
            assertThat(nodes.http("n2", "GET", "/api/queues/%2F/dqt.orders", null).body())
                    .contains("\"type\":\"quorum\"");
            // RabbitMQ's fields of a quorum queue: its group's members, its leader, and the leader as its node.
            ThreeNodes.await("a leader of dqt.orders's group on n2", () -> {
                var q = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(nodes.http("n2", "GET", "/api/queues/%2F/dqt.orders", null).body());
                assertThat(q.path("members").toString()).isEqualTo("[\"n1\",\"n2\",\"n3\"]");
                String leader = q.path("leader").asText();
                if (!List.of("n1", "n2", "n3").contains(leader)) {
                    return false; // an election under way (leader null): wait for its end, node is compared then
                }
                assertThat(q.path("node").asText()).isEqualTo(leader);
                return true;
            });
            for (String path : List.of("/api/queues/%2F", "/api/cluster/queues/%2F/dqt.orders")) {
                assertThat(nodes.http("n3", "GET", path, null).body())
                        .contains("\"members\":[\"n1\",\"n2\",\"n3\"]");
            }

            String exclusive = onN3.queueDeclare("dqt.mine", true, true, false, null).getQueue();
            assertThat(nodes.http("n3", "GET", "/api/queues/%2F/" + exclusive, null).body())
                    .contains("\"type\":\"classic\"");
            onN1.queueDelete("dqt.orders");
        }
    }

    /**
     * RabbitMQ's tutorial 3, "Publish/Subscribe" (rabbitmq.com/tutorials/tutorial-three-java), across nodes: the
     * subscriber and each publisher declare the fanout exchange ({@code logs} there) with {@code exchangeDeclare(name,
     * "fanout")}, which is non-durable, and the subscriber binds a server-named exclusive queue to it. In a RabbitMQ
     * cluster that is one exchange on every node whatever its durability, so here a named transient exchange is
     * replicated through the metadata log (docs/cluster.md, "What is replicated"): the publishers' declarations on
     * n2 and n3 find it, their mandatory publishes are routed (none returned) and each arrives once. It keeps
     * {@code durable=false}: exchange.declare of an existing exchange must ask for what exists (AMQP 0-9-1
     * exchange.declare; RabbitMQ answers 406 PRECONDITION_FAILED "inequivalent arg 'durable'"), so a durable=true
     * redeclaration on n3 is refused, and like RabbitMQ's export the definitions export leaves it out. A deletion on
     * n2 is answered once every node has it: a passive declare on n1 and n3 then answers 404 NOT_FOUND, as it does
     * on n3 once an auto-delete transient exchange lost its last binding on n1. Failed before transient exchanges
     * were replicated: each node had its own exchange, n2's and n3's without bindings, and all 8 mandatory publishes
     * came back unroutable.
     */
    @Test
    void tutorialThreesTransientFanoutExchangeIsOneExchangeOnEveryNode() throws Exception {
        String x = "tut.logs";
        try (Connection c1 = nodes.connect("n1"); Connection c2 = nodes.connect("n2");
             Connection c3 = nodes.connect("n3")) {
            Channel sub = c1.createChannel();
            sub.exchangeDeclare(x, "fanout");
            String q = sub.queueDeclare().getQueue(); // server-named, exclusive, auto-delete, transient
            sub.queueBind(q, x, "");
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            sub.basicConsume(q, true, (tag, d) -> got.add(new String(d.getBody(), StandardCharsets.UTF_8)),
                    tag -> { });
            AtomicInteger returned = new AtomicInteger();
            List<String> sent = new java.util.ArrayList<>();
            for (Connection c : List.of(c2, c3)) {
                String node = c == c2 ? "n2" : "n3";
                Channel pub = c.createChannel();
                pub.exchangeDeclare(x, "fanout");
                pub.confirmSelect();
                pub.addReturnListener(r -> returned.incrementAndGet());
                for (int i = 0; i < 3; i++) {
                    pub.basicPublish(x, "", true, null, (node + "-log" + i).getBytes(StandardCharsets.UTF_8));
                    sent.add(node + "-log" + i);
                }
                // Last from each publisher: a copy of its messages sent twice would come before it.
                pub.basicPublish(x, "", true, null, (node + "-end").getBytes(StandardCharsets.UTF_8));
                pub.waitForConfirmsOrDie(30_000);
            }
            assertThat(returned).as("mandatory publishes on n2 and n3 returned unroutable").hasValue(0);
            List<String> received = new java.util.ArrayList<>();
            while (!received.containsAll(List.of("n2-end", "n3-end"))) {
                String m = got.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(m).as("a message within 30 s; got %s", received).isNotNull();
                received.add(m);
            }
            received.removeAll(List.of("n2-end", "n3-end"));
            assertThat(received).containsExactlyInAnyOrderElementsOf(sent);

            Channel durably = c3.createChannel();
            assertThatThrownBy(() -> durably.exchangeDeclare(x, "fanout", true))
                    .hasStackTraceContaining("406").hasStackTraceContaining("inequivalent arg 'durable'");
            String export = nodes.http("n1", "GET", "/api/definitions", null).body();
            assertThat(export).contains("\"exchanges\"").doesNotContain("\"" + x + "\"");

            c2.createChannel().exchangeDelete(x);
            for (Connection c : List.of(c1, c3)) {
                Channel probe = c.createChannel();
                assertThatThrownBy(() -> probe.exchangeDeclarePassive(x)).hasStackTraceContaining("404");
            }

            // An auto-delete one goes on every node with its last binding: the unbind is an entry every node applies.
            Channel on1 = c1.createChannel();
            on1.exchangeDeclare("tut.auto", "fanout", false, true, null);
            on1.queueDeclare("tut.auto.q", true, false, false, null);
            on1.queueBind("tut.auto.q", "tut.auto", "");
            Channel on3 = c3.createChannel();
            on3.exchangeDeclarePassive("tut.auto");
            on1.queueUnbind("tut.auto.q", "tut.auto", "");
            assertThatThrownBy(() -> on3.exchangeDeclarePassive("tut.auto")).hasStackTraceContaining("404");
            on1.queueDelete("tut.auto.q");
        }
    }

    @Test
    void raftStateIsInPrometheusAndTheApi() throws Exception {
        String leader = nodes.leader();
        String follower = nodes.followers().get(0);
        try (Connection c = nodes.connect(follower); Channel ch = c.createChannel()) {
            ch.queueDeclare("metrics.q", true, false, false, null);
        }
        String tags = "group=\"metadata\",node=\"" + leader + "\"";
        ThreeNodes.await("the follower's lag known on the leader", () -> nodes.http(leader, "GET", "/metrics", null)
                .body().contains("junction_cluster_follower_lag{follower=\"" + follower + "\"," + tags + "} 0.0"));
        String metrics = nodes.http(leader, "GET", "/metrics", null).body();
        assertThat(metrics).contains("junction_cluster_leader{" + tags + "} 1.0", "junction_cluster_term{" + tags,
                "junction_cluster_commit_index{" + tags, "junction_cluster_applied_index{" + tags,
                "junction_cluster_leader_changes_total{" + tags);
        // At least the election that made the leader.
        assertThat(metrics).doesNotContain("junction_cluster_leader_changes_total{" + tags + "} 0.0");
        assertThat(nodes.http(follower, "GET", "/metrics", null).body())
                .contains("junction_cluster_leader{group=\"metadata\",node=\"" + follower + "\"} 0.0");
        assertThat(nodes.http(follower, "GET", "/api/cluster", null).body()).contains("\"leader_changes\":");
    }
}
