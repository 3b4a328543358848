package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
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
}
