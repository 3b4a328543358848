package dev.junction.conformance.cluster.takeover;

import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.connect;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.port;
import static dev.junction.conformance.cluster.takeover.CrossNodeTakeoverTest.v5;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retained messages replicated through the metadata log (docs/cluster.md, "Retained messages"): a retained publish
 * on node 1 is sent to a new subscription on node 3 [MQTT-3.3.1-9] with RETAIN set (MQTT 5
 * section 3.3.1.3), and a clear (empty retained payload [MQTT-3.3.1-6, MQTT-3.3.1-7]) on node 2 removes it on node 1.
 */
class CrossNodeRetainedTest {

    @TempDir
    Path dir;

    @Test
    void aRetainedPublishOnOneNodeReachesASubscriberOnAnother() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir)) {
            Mqtt5AsyncClient publisher = v5("retain-pub", port(cluster, "n1"), new CompletableFuture<>());
            connect(publisher);
            publisher.publishWith().topic("plant/line-4/state").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                    .payload("running".getBytes(StandardCharsets.UTF_8)).send().get(30, TimeUnit.SECONDS);

            Mqtt5Publish got = firstRetained(cluster, "n3", "plant/+/state");
            assertThat(got.isRetain()).isTrue();
            assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("running");

            Mqtt5AsyncClient clearer = v5("retain-clear", port(cluster, "n2"), new CompletableFuture<>());
            connect(clearer);
            clearer.publishWith().topic("plant/line-4/state").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[0]).send().get(30, TimeUnit.SECONDS);
            QuorumCluster3.await("the retained message cleared on n1",
                    () -> retainedWithin(cluster, "n1", "plant/#", 500) == null);
        }
    }

    /** Subscribes on {@code node} again until a retained message arrives (the log applies it there soon after). */
    private static Mqtt5Publish firstRetained(QuorumCluster3 cluster, String node, String filter) throws Exception {
        Mqtt5Publish[] found = new Mqtt5Publish[1];
        QuorumCluster3.await("a retained message on " + node, () -> {
            found[0] = retainedWithin(cluster, node, filter, 500);
            return found[0] != null;
        });
        return found[0];
    }

    private static Mqtt5Publish retainedWithin(QuorumCluster3 cluster, String node, String filter, long millis)
            throws Exception {
        BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
        Mqtt5AsyncClient sub = v5("retain-sub-" + node, port(cluster, node), new CompletableFuture<>());
        sub.connectWith().cleanStart(true).send().get(30, TimeUnit.SECONDS);
        try {
            sub.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(got::add).send()
                    .get(30, TimeUnit.SECONDS);
            return got.poll(millis, TimeUnit.MILLISECONDS);
        } finally {
            sub.disconnect().get(10, TimeUnit.SECONDS);
        }
    }
}
