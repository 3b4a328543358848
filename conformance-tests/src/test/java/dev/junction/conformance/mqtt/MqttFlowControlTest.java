package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT publishers are held back by TCP, not by dropping or disconnecting, while the broker cannot take more. */
class MqttFlowControlTest {
    @RegisterExtension
    final MqttSupport s = MqttSupport.perMethod();

    @Test
    void theMemoryAlarmStopsReadingAPublisherUntilItClearsAndThenItsPublishIsAcknowledged() throws Exception {
        Mqtt5BlockingClient pub = s.connected5(MqttSupport.id("pub"));
        pub.publishWith().topic("flow/a").qos(MqttQos.AT_LEAST_ONCE).payload(MqttSupport.utf8("1")).send();
        var alarm = s.broker().engine().memoryAlarm();
        try {
            alarm.force(true);
            Thread.sleep(500); // the alarm reaches the connection on its event loop
            CompletableFuture<?> held = pub.toAsync().publishWith().topic("flow/a").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(MqttSupport.utf8("2")).send();
            Thread.sleep(500);
            assertThat(held).as("PUBACK while the alarm is raised").isNotDone();

            alarm.force(false);
            held.get(5, TimeUnit.SECONDS);
            assertThat(pub.getState().isConnected()).isTrue();
        } finally {
            alarm.force(null);
        }
    }
}
