package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A protocol whose listeners are all off costs nothing: its module is never started, so it builds no state. */
class DisabledProtocolTest {
    private static final String AMQP_ONLY = """
            listeners:
              amqp: { bind: 127.0.0.1, port: 0 }
              mqtt: { enabled: false }
              mqtt_ws: { enabled: false }
              http: { enabled: false }
            storage: { dir: "%s" }
            """;

    private static String config(Path dir, String yaml) {
        return yaml.formatted(dir.toString().replace("\\", "/"));
    }

    /** Before the module SPI the MQTT state (its exchanges, meters, timer and session lanes) was built in any case. */
    @Test
    void noMqttStateWhenEveryMqttListenerIsOff(@TempDir Path dir) throws Exception {
        try (Broker broker = Broker.start(ConfigLoader.parse(config(dir, AMQP_ONLY), "test.yaml"))) {
            assertThat(broker.address("amqp").getPort()).isPositive();
            assertThat(broker.engine().vhost("/").orElseThrow().exchange("mqtt.dropped")).isEmpty();
            assertThat(broker.registry().find("junction.mqtt.dropped").meters()).isEmpty();
        }
    }

    @Test
    void mqttStateOnceOneMqttListenerIsOn(@TempDir Path dir) throws Exception {
        String wsOnly = AMQP_ONLY.replace("mqtt_ws: { enabled: false }", "mqtt_ws: { bind: 127.0.0.1, port: 0 }");
        try (Broker broker = Broker.start(ConfigLoader.parse(config(dir, wsOnly), "test.yaml"))) {
            assertThat(broker.address("mqtt_ws").getPort()).isPositive();
            assertThat(broker.engine().vhost("/").orElseThrow().exchange("mqtt.dropped")).isPresent();
        }
    }

    @Test
    void aModuleWithNoEnabledListenerIsNeitherStartedNorClosed(@TempDir Path dir) throws Exception {
        ProbeProtocol offline = new ProbeProtocol("mqtts", "mqtt_wss");
        Broker broker = Broker.start(ConfigLoader.parse(config(dir, AMQP_ONLY), "test.yaml"),
                List.of(new dev.junction.amqp.AmqpProtocol(), offline));
        broker.close();
        assertThat(offline.starts.get()).isZero();
        assertThat(offline.closes.get()).isZero();
    }
}
