package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's confirmed messages survive SIGKILL (the confirm waits for the stream log's fsync, as RabbitMQ's
 * streams confirm once written) and a clean restart: offsets go on where they were, bindings into the stream are
 * back, and a consumer from {@code first} reads everything in order.
 */
@Timeout(120)
class StreamCrashRecoveryTest {
    @TempDir
    Path dir;

    private static Connection connect(BrokerProcess broker) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.port("amqp"));
        return f.newConnection();
    }

    /** Reads {@code n} messages from the start on a channel of its own, closed before it returns. */
    private static List<String> readFromFirst(Connection c, String stream, int n) throws Exception {
        Channel ch = c.createChannel();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        ch.basicQos(100);
        String tag = ch.basicConsume(stream, false, Map.of("x-stream-offset", "first"), (t, d) -> {
            got.add(new String(d.getBody(), StandardCharsets.UTF_8) + "@"
                    + d.getProperties().getHeaders().get("x-stream-offset"));
            try {
                ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
            } catch (AlreadyClosedException e) {
                // A delivery past the n this reader wanted, dispatched after close: a stream keeps it anyway.
            }
        }, t -> { });
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = got.poll(20, TimeUnit.SECONDS);
            assertThat(s).as("message %d of %d", i + 1, n).isNotNull();
            out.add(s);
        }
        ch.basicCancel(tag);
        ch.close();
        return out;
    }

    @Test
    void confirmedStreamMessagesSurviveSigkillAndARestart() throws Exception {
        Path data = dir.resolve("data");
        BrokerProcess first = BrokerProcess.start(data, "");
        try (Connection c = connect(first); Channel ch = c.createChannel()) {
            ch.queueDeclare("events", true, false, false, Map.of("x-queue-type", "stream",
                    "x-stream-max-segment-size-bytes", 2000));
            ch.queueBind("events", "amq.topic", "events.#");
            ch.confirmSelect();
            for (int i = 0; i < 100; i++) {
                ch.basicPublish("amq.topic", "events.e", null, ("e" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        } finally {
            first.kill();
        }
        BrokerProcess second = BrokerProcess.start(data, "");
        try (Connection c = connect(second)) {
            List<String> got = readFromFirst(c, "events", 100);
            for (int i = 0; i < 100; i++) {
                assertThat(got.get(i)).isEqualTo("e" + i + "@" + i);
            }
            Channel pub = c.createChannel();
            pub.confirmSelect();
            pub.basicPublish("amq.topic", "events.after", null, "after".getBytes(StandardCharsets.UTF_8));
            pub.waitForConfirmsOrDie(10_000);
        } finally {
            second.close();
        }
        try (BrokerProcess third = BrokerProcess.start(data, "");
             Connection c = connect(third)) {
            List<String> got = readFromFirst(c, "events", 101);
            assertThat(got.get(100)).as("the binding came back and offsets went on").isEqualTo("after@100");
        }
    }
}
