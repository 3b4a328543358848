package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.MqttConfig.DurableQueueType;
import org.junit.jupiter.api.Test;

/**
 * {@code mqtt.durable_queue_type}: persistent sessions in quorum queues by default in a cluster, classic queues for a
 * broker alone whatever the key says (docs/cluster.md, "MQTT sessions").
 */
class MqttDurableQueueTypeTest {

    private static final String CLUSTER = """
            cluster:
              node_id: n1
              bind: 127.0.0.1
              port: 7001
              peers:
                - { id: n1, address: "127.0.0.1:7001" }
                - { id: n2, address: "127.0.0.1:7002" }
                - { id: n3, address: "127.0.0.1:7003" }
            """;

    @Test
    void aBrokerAloneKeepsClassicSessionQueues() throws ConfigException {
        assertThat(parse("").mqtt().durableQueueType()).isEqualTo(DurableQueueType.CLASSIC);
        assertThat(ConfigLoader.defaults().mqtt().durableQueueType()).isEqualTo(DurableQueueType.CLASSIC);
        assertThat(parse("mqtt: { durable_queue_type: quorum }").mqtt().durableQueueType())
                .isEqualTo(DurableQueueType.CLASSIC);
    }

    @Test
    void aClusterHasQuorumSessionQueuesUnlessToldClassic() throws ConfigException {
        assertThat(parse(CLUSTER).mqtt().durableQueueType()).isEqualTo(DurableQueueType.QUORUM);
        assertThat(parse(CLUSTER + "mqtt: { durable_queue_type: Quorum }").mqtt().durableQueueType())
                .isEqualTo(DurableQueueType.QUORUM);
        assertThat(parse(CLUSTER + "mqtt: { durable_queue_type: classic }").mqtt().durableQueueType())
                .isEqualTo(DurableQueueType.CLASSIC);
    }

    @Test
    void anUnknownTypeNamesFileLineAndKey() {
        assertRejected("""
                mqtt:
                  durable_queue_type: stream
                """, 2, "mqtt.durable_queue_type", "expected one of classic, quorum, got 'stream'");
    }
}
