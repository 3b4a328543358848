package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.MqttConfig;
import dev.junction.config.MqttConfig.DurableQueueType;
import dev.junction.routing.api.QueueSpec;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A session's queue: a persistent session's is a quorum queue only when the configuration says quorum (a cluster);
 * alone, and for every session that ends with its connection, it is the classic queue it always was.
 */
class SessionQueueSpecTest {

    private static MqttConfig config(DurableQueueType type) {
        return new MqttConfig(false, Optional.empty(), 60, 16, 100, 268_435_455, 100, 1000, "amq.topic", "/", 3600,
                false, 10, type);
    }

    private static final Map<String, Object> CLASSIC = Map.of("x-max-length", 1000L, QueueSpec.HOLD_PUBLISHERS, true);

    @Test
    void aBrokerAloneDeclaresTheClassicQueuesItAlwaysDid() {
        MqttConfig alone = config(DurableQueueType.CLASSIC);
        assertThat(SessionQueueSpec.of("mqtt.session.a", true, alone))
                .isEqualTo(new QueueSpec("mqtt.session.a", true, false, false, CLASSIC));
        assertThat(SessionQueueSpec.of("mqtt.session.a", false, alone))
                .isEqualTo(new QueueSpec("mqtt.session.a", false, false, false, CLASSIC));
        assertThat(SessionQueueSpec.quorum(alone)).isFalse();
    }

    @Test
    void aPersistentSessionInAClusterHasAQuorumQueue() {
        MqttConfig cluster = config(DurableQueueType.QUORUM);
        QueueSpec spec = SessionQueueSpec.of("mqtt.session.a", true, cluster);
        assertThat(spec.durable()).isTrue();
        assertThat(spec.exclusive()).isFalse();
        assertThat(spec.autoDelete()).isFalse();
        assertThat(spec.arguments()).containsEntry("x-queue-type", "quorum").containsAllEntriesOf(CLASSIC);
        assertThat(SessionQueueSpec.quorum(cluster)).isTrue();
    }

    @Test
    void aCleanSessionInAClusterKeepsATransientClassicQueue() {
        assertThat(SessionQueueSpec.of("mqtt.session.a", false, config(DurableQueueType.QUORUM)))
                .isEqualTo(new QueueSpec("mqtt.session.a", false, false, false, CLASSIC));
    }
}
