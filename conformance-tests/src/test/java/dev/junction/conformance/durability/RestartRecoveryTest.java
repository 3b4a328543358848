package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restart keeps (durable definitions, persistent messages, retained messages) and that it always starts. */
class RestartRecoveryTest {
    @TempDir
    Path dir;

    private static ConnectionFactory amqp(BrokerProcess broker) throws InterruptedException {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.port("amqp"));
        return f;
    }

    private static Mqtt5BlockingClient mqtt(BrokerProcess broker, String id) throws InterruptedException {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port("mqtt")).buildBlocking();
        c.connectWith().simpleAuth().username("guest").password("guest".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        return c;
    }

    @Test
    void durableDefinitionsPersistentMessagesAndRetainedMessagesSurviveARestartTransientOnesDoNot() throws Exception {
        Path data = dir.resolve("data");
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        try (BrokerProcess broker = BrokerProcess.start(data, "")) {
            try (Connection c = amqp(broker).newConnection(); Channel ch = c.createChannel()) {
                ch.exchangeDeclare("orders", "topic", true);
                ch.exchangeDeclare("scratch", "fanout", false);
                ch.queueDeclare("orders.eu", true, false, false, java.util.Map.of("x-max-length", 100));
                ch.queueDeclare("temp", false, false, false, null);
                ch.queueBind("orders.eu", "orders", "eu.#");
                ch.confirmSelect();
                ch.basicPublish("orders", "eu.paris", persistent, "kept".getBytes(StandardCharsets.UTF_8));
                ch.basicPublish("orders", "eu.rome", null, "transient".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(5000);
            }
            Mqtt5BlockingClient publisher = mqtt(broker, "retainer");
            publisher.publishWith().topic("plant/line1/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload("running".getBytes(StandardCharsets.UTF_8)).send();
            publisher.disconnect();
        } // SIGTERM: a graceful stop

        try (BrokerProcess broker = BrokerProcess.start(data, "")) {
            try (Connection c = amqp(broker).newConnection()) {
                Channel ch = c.createChannel();
                ch.exchangeDeclarePassive("orders");
                assertThat(ch.queueDeclarePassive("orders.eu").getMessageCount()).isEqualTo(1);
                // The binding came back too: a new publish is routed.
                ch.basicPublish("orders", "eu.berlin", persistent, "new".getBytes(StandardCharsets.UTF_8));
                GetResponse first = ch.basicGet("orders.eu", true);
                assertThat(new String(first.getBody(), StandardCharsets.UTF_8)).isEqualTo("kept");
                Channel other = c.createChannel();
                assertThatThrownBy(() -> other.exchangeDeclarePassive("scratch")).isInstanceOf(IOException.class);
                Channel third = c.createChannel();
                assertThatThrownBy(() -> third.queueDeclarePassive("temp")).isInstanceOf(IOException.class);
            }
            Mqtt5BlockingClient subscriber = mqtt(broker, "reader");
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
                subscriber.subscribeWith().topicFilter("plant/+/status").qos(MqttQos.AT_LEAST_ONCE).send();
                Optional<Mqtt5Publish> retained = publishes.receive(5, TimeUnit.SECONDS);
                assertThat(retained).isPresent();
                assertThat(retained.get().isRetain()).isTrue();
                assertThat(new String(retained.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("running");
            }
            subscriber.disconnect();
        }
    }

    @Test
    void aTornLastRecordIsSetAsideAndTheBrokerStartsWithEverythingBeforeIt() throws Exception {
        Path data = dir.resolve("data");
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        BrokerProcess broker = BrokerProcess.start(data, "");
        try (Connection c = amqp(broker).newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("q", true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 100; i++) {
                ch.basicPublish("", "q", persistent, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(5000);
        } finally {
            broker.kill();
        }
        // A crash in the middle of writing the last record: cut it short, then add some garbage.
        Path segment = lastSegment(data);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 3);
            f.seek(f.length());
            f.write(new byte[] {0x13, 0x37, 0x00, 0x7f, 0x01});
        }
        try (BrokerProcess restarted = BrokerProcess.start(data, "")) {
            assertThat(restarted.log()).containsIgnoringCase("corrupt");
            try (Connection c = amqp(restarted).newConnection(); Channel ch = c.createChannel()) {
                int count = ch.queueDeclarePassive("q").getMessageCount();
                assertThat(count).as("only the torn last message may be lost").isBetween(99, 100);
                assertThat(new String(ch.basicGet("q", true).getBody(), StandardCharsets.UTF_8)).isEqualTo("m0");
            }
            try (Stream<Path> files = Files.list(data)) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(".corrupt-"));
            }
        }
    }

    private static Path lastSegment(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().endsWith(".seg"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            assertThat(segments).isNotEmpty();
            return segments.get(segments.size() - 1);
        }
    }
}
