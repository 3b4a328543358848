package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of a cluster node's relay (docs/cluster.md, "Clean sessions across nodes"): a publish made on
 * this node never goes into the queue named as its relay, and a relayed message goes only into the node's own
 * transient classic queues that the relay names (not into a durable one, of which every node has a copy), however
 * many other queues its bindings match.
 */
class RelayRoutingTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private Queue declareBound(String name, boolean durable) {
        Queue q = f.vhost.declareQueue(new QueueSpec(name, durable, false, false, Map.of()), EngineFixture.OWNER,
                false);
        f.vhost.bind(Binding.toQueue("amq.topic", name, "sensors.*", Map.of()), EngineFixture.OWNER);
        return q;
    }

    private static Message message(String body) {
        return new Message("amq.topic", "sensors.t1", MessageProperties.builder().build(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPublishOnThisNodeNeverGoesIntoItsRelay() {
        Queue relay = declareBound("relay.n1", true);
        Queue other = declareBound("other", false);
        RecordingSink relayed = f.consume(relay, "r");
        RecordingSink sink = f.consume(other, "o");
        f.vhost.publishing().relayQueue("relay.n1");
        assertThat(f.publish("amq.topic", "sensors.t1", "here").routedQueues()).isEqualTo(1);
        assertThat(new String(sink.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("here");
        relayed.none(100);
        assertThat(f.vhost.route(message("dry"))).as("a dry run still lists it: only publishes skip it")
                .contains("relay.n1");
    }

    @Test
    void aRelayedMessageGoesOnlyIntoTheTransientClassicQueuesTheRelayNames() {
        Queue session = declareBound("mqtt.session.a", false);
        Queue other = declareBound("other", false);
        Queue kept = declareBound("mqtt.session.kept", true);
        Queue relay = declareBound("relay.n1", true);
        f.vhost.publishing().relayQueue("relay.n1");
        RecordingSink toKept = f.consume(kept, "k");
        RecordingSink toSession = f.consume(session, "s");
        RecordingSink toOther = f.consume(other, "o");
        RecordingSink toRelay = f.consume(relay, "r");
        assertThat(f.vhost.publishing().publishHere(message("relayed"), n -> n.startsWith("mqtt.session."))
                .routedQueues()).isEqualTo(1);
        assertThat(new String(toSession.next().message().body(), StandardCharsets.UTF_8)).isEqualTo("relayed");
        toOther.none(100);
        toKept.none(100);
        toRelay.none(100);
    }
}
