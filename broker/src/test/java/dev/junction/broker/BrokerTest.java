package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.routing.api.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTest {
    private static final String EPHEMERAL = """
            listeners:
              amqp: { port: 0 }
              mqtt: { port: 0 }
              mqtt_ws: { port: 0 }
              http: { bind: 127.0.0.1, port: 0 }
            vhosts: ["/", "staging"]
            """;

    private static String get(Broker broker, String path) throws Exception {
        var address = broker.address("http");
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    @Test
    void portZeroBindsAFreePortAndHealthAnswers() throws Exception {
        try (Broker broker = Broker.start(ConfigLoader.parse(EPHEMERAL, "test.yaml"))) {
            assertThat(broker.address("http").getPort()).isPositive();
            assertThat(get(broker, "/health")).contains("ok");
        }
    }

    @Test
    void configuredVhostsExistWithTheirBuiltInExchanges() throws Exception {
        try (Broker broker = Broker.start(ConfigLoader.parse(EPHEMERAL, "test.yaml"))) {
            assertThat(broker.engine().vhost("staging")).isPresent();
            assertThat(broker.engine().vhost("staging").orElseThrow().exchange("amq.topic")).isPresent();
        }
    }

    @Test
    void prometheusEndpointReportsPerVhostMessageCounters() throws Exception {
        try (Broker broker = Broker.start(ConfigLoader.parse(EPHEMERAL, "test.yaml"))) {
            var vhost = broker.engine().vhost("/").orElseThrow();
            vhost.publish(new Message("amq.direct", "nowhere", null, new byte[] {1}), false);
            String metrics = get(broker, "/metrics");
            assertThat(metrics).contains("junction_messages_unroutable_total{vhost=\"/\"} 1.0");
            assertThat(metrics).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void prometheusEndpointReportsFsyncLatencyBucketsAndStoredMessagesPerQueue(@TempDir java.nio.file.Path dir)
            throws Exception {
        String config = EPHEMERAL + "storage: { dir: \"" + dir.toString().replace("\\", "/") + "\" }\n";
        try (Broker broker = Broker.start(ConfigLoader.parse(config, "test.yaml"))) {
            var vhost = broker.engine().vhost("/").orElseThrow();
            vhost.declareQueue(new dev.junction.routing.api.QueueSpec("kept", true, false, false,
                    java.util.Map.of()), null, false);
            var persistent = dev.junction.routing.api.MessageProperties.builder().deliveryMode(2).build();
            for (int i = 0; i < 3; i++) {
                vhost.publish(new Message("", "kept", persistent, new byte[] {1}), true).confirmed()
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            String metrics = get(broker, "/metrics");
            assertThat(metrics).contains("junction_queue_messages_stored{queue=\"kept\",vhost=\"/\"} 3.0");
            assertThat(metrics).containsPattern("junction_store_fsync_seconds_bucket\\{le=\"[0-9.E-]+\"} [1-9]");
        }
    }

    @Test
    void closingTwiceIsHarmlessAndAddressesOfStoppedListenersAreRefused() throws Exception {
        JunctionConfig config = ConfigLoader.parse(EPHEMERAL + "\n", "test.yaml");
        Broker broker = Broker.start(config);
        broker.close();
        broker.close();
        assertThatThrownBy(() -> broker.address("amqp")).isInstanceOf(IllegalArgumentException.class);
    }
}
