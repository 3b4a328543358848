package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.junction.routing.api.Binding;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code $SYS} counters in the pipeline, who a value would reach, the load averages, the retained values. */
class SysTopicsTest {
    private final EmbeddedBroker broker;

    SysTopicsTest() throws Exception {
        broker = new EmbeddedBroker();
    }

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void thePipelineCountsClientsPacketsAndBytes() throws Exception {
        SysCounters c = broker.server.sys.counters;
        EmbeddedClient b = broker.client();
        try (EmbeddedClient a = broker.client()) {
            a.connect("a");
            b.connect("b");
            assertThat(c.connected()).isEqualTo(2);
            a.publish("t/x", MqttQoS.AT_LEAST_ONCE, 1, "hello");
            assertThat(a.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            assertThat(c.publishReceived.sum()).isEqualTo(1);
            assertThat(c.packetsReceived.sum()).isEqualTo(3); // two CONNECTs and the PUBLISH
            assertThat(c.packetsSent.sum()).isEqualTo(3); // two CONNACKs and the PUBACK
            assertThat(c.connects.sum()).isEqualTo(2);
            assertThat(c.bytesReceived.sum()).isPositive();
            assertThat(c.bytesSent.sum()).isPositive();
            b.close();
            assertThat(c.connected()).isEqualTo(1);
            assertThat(c.maximum()).isEqualTo(2);
        }
        assertThat(c.connected()).isZero();
    }

    @Test
    void theValuesAreRetainedInMemoryAndSentToANewSubscriber() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (broker.server.retained.read("$SYS/broker/version").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5); // the first interval runs at start, on the MQTT timer
        }
        assertThat(broker.server.retained.size()).as("nothing went to the store").isZero();
        try (EmbeddedClient c = broker.client()) {
            c.connect("s");
            c.subscribe("$SYS/broker/version", MqttQoS.AT_MOST_ONCE, 1);
            assertThat(c.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
            MqttPublishMessage p = (MqttPublishMessage) c.next();
            assertThat(p.variableHeader().topicName()).isEqualTo("$SYS/broker/version");
            assertThat(p.fixedHeader().isRetain()).isTrue();
            assertThat(p.payload().toString(StandardCharsets.UTF_8)).startsWith("junction version ");
            p.release();
        }
    }

    @Test
    void aValueReachesSysFiltersAndAmqpBindingsThatNameSysOnly() {
        Map<String, Object> mqtt = Map.of(Binding.MQTT_FILTER_ARGUMENT, true);
        SysTopics.Audience none = SysTopics.Audience.of(List.of(
                Binding.toQueue("amq.topic", "q1", "#", mqtt),
                Binding.toQueue("amq.topic", "q2", "*.broker.#", mqtt),
                Binding.toQueue("amq.topic", "q3", "a.#", Map.of())));
        assertThat(none.reaches("$SYS/broker/uptime")).as("[MQTT-4.7.2-1]").isFalse();
        assertThat(none.subscriptions()).isEqualTo(2);

        SysTopics.Audience clients = SysTopics.Audience.of(List.of(
                Binding.toQueue("amq.topic", "q1", "$SYS.broker.clients.*", mqtt)));
        assertThat(clients.reaches("$SYS/broker/clients/connected")).isTrue();
        assertThat(clients.reaches("$SYS/broker/uptime")).isFalse();

        SysTopics.Audience amqpWildcard = SysTopics.Audience.of(
                List.of(Binding.toQueue("amq.topic", "q", "#", Map.of())));
        assertThat(amqpWildcard.reaches("$SYS/broker/uptime"))
                .as("the MQTT exchange keeps the '$' rule for AMQP bindings [MQTT-4.7.2-1]").isFalse();
        SysTopics.Audience amqp = SysTopics.Audience.of(List.of(Binding.toQueue("amq.topic", "q", "$SYS.#", Map.of())));
        assertThat(amqp.reaches("$SYS/broker/uptime")).isTrue();
        assertThat(amqp.subscriptions()).isZero();
    }

    @Test
    void aLoadAverageMovesTowardsTheRateLikeTheUnixLoadAverage() {
        LoadAverage oneMinute = new LoadAverage(1);
        // 600 events in 60 s is 600 a minute; after one window the average has come 1 - 1/e of the way.
        assertThat(oneMinute.update(600, 60)).isCloseTo(600 * (1 - Math.exp(-1)), within(1e-9));
        for (int i = 0; i < 60; i++) { // ten minutes: ten windows
            oneMinute.update(100, 10);
        }
        assertThat(oneMinute.value()).isCloseTo(600, within(1.0));
        LoadAverage fifteen = new LoadAverage(15);
        assertThat(fifteen.update(600, 60)).isLessThan(new LoadAverage(5).update(600, 60));
    }
}
