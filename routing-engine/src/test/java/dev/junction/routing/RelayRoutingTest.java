package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.NodeRelays;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a cluster node's relay (docs/cluster.md, "Queues of one node"): nothing routed on this node
 * goes into the queue named as its relay, and a relayed message goes only into the queues this node alone has
 * (transient or exclusive classic queues), not into a durable one, of which every node has a copy.
 */
class RelayRoutingTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private Queue declareBound(String name, boolean durable, boolean exclusive) {
        Queue q = f.vhost.declareQueue(new QueueSpec(name, durable, exclusive, false, Map.of()), EngineFixture.OWNER,
                false);
        f.vhost.bind(Binding.toQueue("amq.topic", name, "sensors.*", Map.of()), EngineFixture.OWNER);
        return q;
    }

    private static Message message(String body) {
        return new Message("amq.topic", "sensors.t1", MessageProperties.builder().build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void relayThrough(String queue) {
        f.vhost.publishing().relayThrough(queue, b -> CompletableFuture.completedFuture(null));
    }

    @Test
    void nothingRoutedOnThisNodeGoesIntoItsRelay() {
        Queue relay = declareBound("relay.n1", true, false);
        Queue other = declareBound("other", false, false);
        RecordingSink relayed = f.consume(relay, "r");
        RecordingSink sink = f.consume(other, "o");
        relayThrough("relay.n1");
        assertThat(f.publish("amq.topic", "sensors.t1", "here").routedQueues()).isEqualTo(1);
        assertThat(new String(sink.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("here");
        relayed.none(100);
        assertThat(f.vhost.route(message("dry"))).containsExactly("other");
    }

    @Test
    void aRelayedMessageGoesOnlyIntoTheQueuesOfThisNodeAlone() {
        Queue transientQueue = declareBound("mqtt.session.a", false, false);
        Queue exclusive = declareBound("subscriber-x", true, true);
        Queue durable = declareBound("kept", true, false);
        Queue relay = declareBound("relay.n1", true, false);
        relayThrough("relay.n1");
        RecordingSink toTransient = f.consume(transientQueue, "t");
        RecordingSink toExclusive = new RecordingSink();
        f.consume(exclusive, new ConsumerSpec("x", false, false, 0, List.of(), EngineFixture.OWNER, Map.of()),
                toExclusive);
        RecordingSink toDurable = f.consume(durable, "d");
        RecordingSink toRelay = f.consume(relay, "r");
        assertThat(f.vhost.publishing().publishHere(message("relayed")).routedQueues()).isEqualTo(2);
        assertThat(new String(toTransient.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("relayed");
        assertThat(new String(toExclusive.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("relayed");
        toDurable.none(100);
        toRelay.none(100);
    }

    /**
     * A publish through the default exchange to a name of no queue here goes into the relay of a node that has one
     * (the reply of RabbitMQ's RPC pattern to another node's exclusive queue), into one relay only, the first bound
     * that is not this node's own; a name of a queue here goes into that queue alone, as on a single node. Only a
     * relay is bound from the exchange that carries names, and the owning node routes the relayed message into its
     * queue from the default exchange.
     */
    @Test
    void theDefaultExchangeRelaysOnlyANameWithNoQueueHereIntoOneOtherNodesRelay() {
        f.vhost.declareExchange(RelayedNames.spec(), false);
        RecordingSink[] relays = new RecordingSink[3];
        for (int n = 0; n < 3; n++) {
            String relay = "junction.relay.n" + (n + 1);
            relays[n] = f.consume(f.vhost.declareQueue(new QueueSpec(relay, true, false, false, Map.of()), null,
                    false), "r" + n);
            f.vhost.bind(RelayedNames.binding(relay, "amq.gen-reply"), null); // n1, this node's own, bound first
        }
        relayThrough("junction.relay.n1");
        Queue here = f.vhost.declareQueue(new QueueSpec("reply.here", false, true, false, Map.of()),
                EngineFixture.OWNER, false);
        f.vhost.bind(RelayedNames.binding("junction.relay.n2", "reply.here"), null);
        RecordingSink toHere = new RecordingSink();
        f.consume(here, new ConsumerSpec("h", false, false, 0, List.of(), EngineFixture.OWNER, Map.of()), toHere);

        assertThat(f.publish("", "amq.gen-reply", "reply").routedQueues()).isEqualTo(1);
        assertThat(new String(relays[1].next().message().body(), StandardCharsets.UTF_8)).isEqualTo("reply");
        assertThat(f.publish("", "reply.here", "local").routedQueues()).isEqualTo(1);
        assertThat(new String(toHere.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("local");
        Message relayed = new Message("", "reply.here", MessageProperties.builder().build(),
                "relayed".getBytes(StandardCharsets.UTF_8));
        assertThat(f.vhost.publishing().publishHere(relayed).routedQueues()).isEqualTo(1);
        assertThat(new String(toHere.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("relayed");
        relays[0].none(100);
        relays[2].none(100);
        relays[1].none(100);

        assertThatThrownBy(() -> f.vhost.bind(Binding.toQueue(RelayedNames.EXCHANGE, "reply.here", "amq.gen-reply",
                Map.of()), EngineFixture.OWNER)).isInstanceOf(BrokerException.class).hasMessageContaining("relay");
        assertThatThrownBy(() -> f.publish(RelayedNames.EXCHANGE, "amq.gen-reply", "sneaked"))
                .isInstanceOf(BrokerException.class);
    }

    /**
     * RabbitMQ's direct reply-to across nodes (docs/cluster.md, "Direct reply-to across nodes"): a publish through
     * the default exchange to a reply-to name of another node goes into that node's relay and nowhere else; a name
     * of this node, of a node with no relay here, a malformed one, one without a node (as alone) and any name on a
     * node without a relay (alone) are unroutable.
     */
    @Test
    void aDirectReplyToNameOfAnotherNodeGoesIntoThatNodesRelayOnly() {
        String ofN2 = namesOf("n2").register("/", m -> { });
        assertThat(f.publish("", ofN2, "alone").routedQueues()).as("alone").isZero();
        RecordingSink[] relays = new RecordingSink[3];
        for (int n = 0; n < 3; n++) {
            String relay = NodeRelays.relayOf("n" + (n + 1));
            relays[n] = f.consume(f.vhost.declareQueue(new QueueSpec(relay, true, false, false, Map.of()), null,
                    false), "r" + n);
        }
        relayThrough(NodeRelays.relayOf("n1"));

        assertThat(f.publish("", ofN2, "reply").routedQueues()).isEqualTo(1);
        Delivery d = relays[1].next();
        assertThat(d.message().routingKey()).isEqualTo(ofN2);
        assertThat(new String(d.message().body(), StandardCharsets.UTF_8)).isEqualTo("reply");
        for (String name : List.of(namesOf("n1").register("/", m -> { }), namesOf("n9").register("/", m -> { }),
                DirectReplies.PREFIX + "bjI=.x", DirectReplies.PREFIX + "!!.x", DirectReplies.PREFIX + ".x",
                new DirectReplies().register("/", m -> { }))) {
            assertThat(f.publish("", name, "nowhere").routedQueues()).as(name).isZero();
        }
        for (RecordingSink r : relays) {
            r.none(100);
        }
    }

    /**
     * The owning node hands a relayed reply only to the consumer registered under that exact name in the relay's
     * own vhost: not in another vhost, not for a message from another exchange, not after it went.
     */
    @Test
    void aRelayedReplyReachesOnlyTheConsumerOfItsExactNameInItsVhost() {
        DirectReplies replies = namesOf("n1");
        List<Message> got = new java.util.ArrayList<>();
        String name = replies.register("/", got::add);
        assertThat(DirectReplies.nodeOf(name)).isEqualTo("n1");
        assertThat(replies.ofAnotherNode(name)).isFalse();
        assertThat(replies.ofAnotherNode(namesOf("n2").register("/", m -> { }))).isTrue();
        assertThat(replies.relayed("other", reply("", name))).isFalse();
        assertThat(replies.relayed("/", reply("amq.direct", name))).isFalse();
        assertThat(replies.relayed("/", reply("", name + "x"))).isFalse();
        assertThat(got).isEmpty();
        assertThat(replies.relayed("/", reply("", name))).isTrue();
        assertThat(got).hasSize(1);
        replies.unregister(name);
        assertThat(replies.relayed("/", reply("", name))).isFalse();
        assertThat(got).hasSize(1);
    }

    private static DirectReplies namesOf(String nodeId) {
        DirectReplies names = new DirectReplies();
        names.throughRelays(nodeId, vhost -> CompletableFuture.completedFuture(null));
        return names;
    }

    private static Message reply(String exchange, String name) {
        return new Message(exchange, name, MessageProperties.builder().build(), "r".getBytes(StandardCharsets.UTF_8));
    }
}
