package dev.junction.conformance.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full disk, for real: the store lives on an 8 MiB tmpfs that the test fills with a file of its own.
 * RabbitMQ's disk alarm: below disk_free_limit, publishers of every protocol are blocked (AMQP connection.blocked
 * "low on disk", MQTT by not reading), and they go on once space is freed. When the disk fills anyway, the store
 * confirms nothing it could not write, refuses durable declarations, and resumes without a restart once it can
 * write again.
 */
class DiskAlarmTest {
    private static final long BOUND_S = 30;
    private static final int MIB = 1 << 20;

    private Path root;
    private Path disk;
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @BeforeEach
    void mountSmallDisk() throws Exception {
        root = Files.createTempDirectory("junction-disk");
        disk = root.resolve("disk");
        Files.createDirectories(disk);
        boolean mounted;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString())
                    .redirectErrorStream(true).start();
            mounted = p.waitFor(BOUND_S, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            mounted = false;
        }
        if (!mounted) {
            Files.delete(disk);
            Files.delete(root);
        }
        assumeTrue(mounted, "needs to mount a small tmpfs (root on Linux) to fill a real disk");
    }

    @AfterEach
    void unmount() throws Exception {
        broker.stop(); // before the disk it writes to goes
        if (disk != null && Files.exists(disk)) {
            new ProcessBuilder("umount", disk.toString()).start().waitFor(BOUND_S, TimeUnit.SECONDS);
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void freeSpaceBelowTheLimitBlocksAmqpAndMqttPublishersUntilSpaceIsFreed() throws Exception {
        broker.startIn(disk.resolve("data"), BrokerConfig.standard().withLimits("  disk_free_limit: 4MB\n"));
        ConnectionFactory f = new ConnectionFactory();
        f.setAutomaticRecoveryEnabled(false);
        f.setPort(broker.amqpPort());
        try (Connection c = f.newConnection()) {
            BlockingQueue<String> events = events(c);
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.queueDeclare("disk.q", true, false, false, null);
            ch.basicPublish("", "disk.q", MessageProperties.PERSISTENT_BASIC, new byte[] {1});
            assertThat(ch.waitForConfirms(BOUND_S * 1000)).isTrue();

            Mqtt5AsyncClient mqtt = Mqtt5Client.builder().identifier("disk-pub").serverHost("127.0.0.1")
                    .serverPort(broker.port("mqtt")).simpleAuth().username("guest")
                    .password("guest".getBytes()).applySimpleAuth().buildAsync();
            mqtt.connect().get(BOUND_S, TimeUnit.SECONDS);
            mqtt.publishWith().topic("disk/a").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send()
                    .get(BOUND_S, TimeUnit.SECONDS);

            Path filler = fill(disk, 2L * MIB); // leaves about 2 MiB: below the 4 MB limit, the store can still write
            assertThat(events.poll(BOUND_S, TimeUnit.SECONDS)).isEqualTo("blocked: low on disk");
            Thread.sleep(500); // the alarm reaches every connection on its event loop
            CompletableFuture<?> held = mqtt.publishWith().topic("disk/a").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[] {2}).send();
            Thread.sleep(500); // a negative check: no PUBACK while the disk alarm holds
            assertThat(held).as("PUBACK while the disk alarm is raised").isNotDone();

            Files.delete(filler);
            assertThat(events.poll(BOUND_S, TimeUnit.SECONDS)).isEqualTo("unblocked");
            held.get(BOUND_S, TimeUnit.SECONDS);
            ch.basicPublish("", "disk.q", MessageProperties.PERSISTENT_BASIC, new byte[] {3});
            assertThat(ch.waitForConfirms(BOUND_S * 1000)).isTrue();
            mqtt.disconnect().get(BOUND_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskNacksAndRefusesDurableDeclarationsThenTheStoreResumesWithoutARestart() throws Exception {
        Path data = disk.resolve("data");
        // A limit of one byte: the alarm does not step in first, so the store meets the full disk itself.
        broker.startIn(data, BrokerConfig.standard().withLimits("  disk_free_limit: 1\n"));
        ConnectionFactory f = new ConnectionFactory();
        f.setAutomaticRecoveryEnabled(false);
        f.setPort(broker.amqpPort());
        try (Connection c = f.newConnection()) {
            BlockingQueue<String> events = events(c);
            Channel ch = c.createChannel();
            ch.confirmSelect();
            ch.queueDeclare("full.q", true, false, false, null);
            ch.basicPublish("", "full.q", MessageProperties.PERSISTENT_BASIC, new byte[] {1});
            assertThat(ch.waitForConfirms(BOUND_S * 1000)).isTrue();

            Connection consumer = f.newConnection();
            Channel cons = consumer.createChannel();
            long tag = cons.basicGet("full.q", false).getEnvelope().getDeliveryTag();

            // An MQTT 5 subscriber that holds back its PUBACK until the disk is full.
            Mqtt5AsyncClient sub = Mqtt5Client.builder().identifier("full-sub").serverHost("127.0.0.1")
                    .serverPort(broker.port("mqtt")).simpleAuth().username("guest")
                    .password("guest".getBytes()).applySimpleAuth().buildAsync();
            BlockingQueue<Mqtt5Publish> received = new ArrayBlockingQueue<>(4);
            sub.publishes(MqttGlobalPublishFilter.ALL, received::add, true);
            sub.connectWith().cleanStart(true).sessionExpiryInterval(60).send().get(BOUND_S, TimeUnit.SECONDS);
            sub.subscribeWith().topicFilter("full/t").qos(MqttQos.AT_LEAST_ONCE).send().get(BOUND_S, TimeUnit.SECONDS);
            Mqtt5AsyncClient pub = Mqtt5Client.builder().identifier("full-pub").serverHost("127.0.0.1")
                    .serverPort(broker.port("mqtt")).simpleAuth().username("guest")
                    .password("guest".getBytes()).applySimpleAuth().buildAsync();
            pub.connect().get(BOUND_S, TimeUnit.SECONDS);
            pub.publishWith().topic("full/t").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9}).send()
                    .get(BOUND_S, TimeUnit.SECONDS);
            Mqtt5Publish held = received.poll(BOUND_S, TimeUnit.SECONDS);
            assertThat(held).isNotNull();

            Path filler = fill(disk, 0);
            // Before: the store failed for good here, so every later write failed until a restart.
            ch.basicPublish("", "full.q", MessageProperties.PERSISTENT_BASIC, new byte[256 << 10]);
            assertThat(ch.waitForConfirms(BOUND_S * 1000)).as("confirm of a write the full disk refused").isFalse();
            assertThat(events.poll(BOUND_S, TimeUnit.SECONDS)).isEqualTo("blocked: low on disk");

            // A durable queue declared now is refused, not declare-ok and gone after a restart.
            Connection other = f.newConnection();
            try {
                Channel o = other.createChannel();
                assertThatThrownBy(() -> o.queueDeclare("declared.while.full", true, false, false, null))
                        .isInstanceOf(IOException.class)
                        .hasStackTraceContaining("store cannot write");
            } finally {
                other.abort();
            }

            // An ack now would only be in memory: refused visibly, the connection closes, the message is requeued.
            cons.basicAck(tag, false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
            while (consumer.isOpen()) {
                assertThat(System.nanoTime() < deadline).as("connection closed on an ack it cannot record").isTrue();
                Thread.sleep(20);
            }
            assertThat(consumer.getCloseReason().getMessage()).contains("store cannot write");
            // The same for MQTT: the PUBACK is refused with DISCONNECT (0x80); the session keeps the message.
            held.acknowledge();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
            while (sub.getState().isConnected()) {
                assertThat(System.nanoTime() < deadline).as("MQTT connection closed on a PUBACK").isTrue();
                Thread.sleep(20);
            }
            pub.disconnect();
            // A session meant to outlive its connection cannot be stored now: CONNACK 0x88 Server unavailable.
            Mqtt5BlockingClient late = Mqtt5Client.builder().identifier("late").serverHost("127.0.0.1")
                    .serverPort(broker.port("mqtt")).simpleAuth().username("guest")
                    .password("guest".getBytes()).applySimpleAuth().buildBlocking();
            assertThatThrownBy(() -> late.connectWith().sessionExpiryInterval(60).send())
                    .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(
                            e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE));

            Files.delete(filler);
            assertThat(events.poll(BOUND_S, TimeUnit.SECONDS)).isEqualTo("unblocked");
            ch.basicPublish("", "full.q", MessageProperties.PERSISTENT_BASIC, new byte[] {3});
            assertThat(ch.waitForConfirms(BOUND_S * 1000)).as("confirmed again, no restart").isTrue();
        }
        broker.stop(); // a restart on the same directory
        broker.startIn(data, BrokerConfig.standard().withLimits("  disk_free_limit: 1\n"));
        ConnectionFactory again = new ConnectionFactory();
        again.setPort(broker.amqpPort());
        try (Connection c = again.newConnection()) {
            Channel ch = c.createChannel();
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive("full.q");
            // The two confirmed messages (the first one's ack was refused, so it is still there) and the nacked
            // one: a nack means the broker made no promise, and the store wrote it once it could (a publisher that
            // publishes it again gets it twice, as at-least-once allows; nothing is confirmed and then lost).
            assertThat(ok.getMessageCount()).isEqualTo(3);
            assertThatThrownBy(() -> ch.queueDeclarePassive("declared.while.full"))
                    .hasStackTraceContaining("NOT_FOUND");
        }
    }

    private static BlockingQueue<String> events(Connection c) {
        BlockingQueue<String> events = new ArrayBlockingQueue<>(16);
        c.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                events.add("blocked: " + reason);
            }

            @Override
            public void handleUnblocked() {
                events.add("unblocked");
            }
        });
        return events;
    }

    /** Writes a file until about {@code leave} bytes are free on {@code dir}'s file system (or it is full). */
    private static Path fill(Path dir, long leave) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (Files.getFileStore(dir).getUsableSpace() > leave + chunk.length) {
                out.write(chunk);
            }
            if (leave == 0) {
                while (true) {
                    out.write(chunk, 0, 4096);
                    out.flush();
                }
            }
        } catch (IOException full) {
            if (leave != 0) {
                throw full;
            }
        }
        return filler;
    }
}
