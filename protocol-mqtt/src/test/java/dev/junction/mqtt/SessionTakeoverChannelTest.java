package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client-id takeover and Session Present, through the session registry's per-client-id lanes. */
class SessionTakeoverChannelTest {
    private final EmbeddedBroker broker;

    SessionTakeoverChannelTest() throws Exception {
        broker = new EmbeddedBroker();
    }

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void aSecondConnectionWithTheSameClientIdTakesTheSessionOver_MQTT_3_1_4_2() throws Exception {
        try (EmbeddedClient first = broker.client(); EmbeddedClient second = broker.client()) {
            first.connect("dup");
            second.connect("dup");
            MqttMessage m = first.next();
            assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
            assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode())
                    .isEqualTo(ReasonCode.SESSION_TAKEN_OVER.value());
            assertThat(first.server.isOpen()).isFalse();
            assertThat(second.server.isOpen()).isTrue();
        }
    }

    @Test
    void aResumedSessionIsPresentAndACleanStartOneIsNot_MQTT_3_2_2_2_MQTT_3_2_2_3() throws Exception {
        try (EmbeddedClient first = broker.client()) {
            assertThat(first.connect("keep", false, 60).variableHeader().isSessionPresent()).isFalse();
        }
        awaitLanesIdle();
        try (EmbeddedClient again = broker.client()) {
            assertThat(again.connect("keep", false, 60).variableHeader().isSessionPresent()).isTrue();
        }
        awaitLanesIdle();
        try (EmbeddedClient clean = broker.client()) {
            assertThat(clean.connect("keep", true, 60).variableHeader().isSessionPresent()).isFalse();
        }
    }

    @Test
    void aSessionThatEndsWithItsConnectionIsNotResumed_MQTT_3_1_2_6() throws Exception {
        try (EmbeddedClient first = broker.client()) {
            first.connect("gone", false, 0);
        }
        awaitLanesIdle();
        try (EmbeddedClient again = broker.client()) {
            assertThat(again.connect("gone", false, 60).variableHeader().isSessionPresent()).isFalse();
        }
    }

    private void awaitLanesIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!broker.server.lanesIdle() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(broker.server.lanesIdle()).isTrue();
    }
}
