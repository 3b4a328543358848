package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deduplication keys after SIGKILL: a durable {@code x-message-deduplication} exchange and a durable queue declared
 * with {@code x-message-deduplication: true} still refuse the retry of every confirmed persistent message.
 */
@Timeout(120)
class DeduplicationCrashRecoveryTest {
    @TempDir
    Path dir;

    private static AMQP.BasicProperties keyed(String key) {
        return new AMQP.BasicProperties.Builder().deliveryMode(2).headers(Map.of("x-deduplication-header", key))
                .build();
    }

    private static ConnectionFactory amqp(BrokerProcess broker) throws InterruptedException {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.port("amqp"));
        return f;
    }

    private static List<String> drain(Channel ch, String q) throws Exception {
        List<String> bodies = new ArrayList<>();
        GetResponse r;
        while ((r = ch.basicGet(q, true)) != null) {
            bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
        }
        return bodies;
    }

    @Test
    void confirmedKeysAreStillDuplicatesAfterSigkill() throws Exception {
        Path data = dir.resolve("data");
        BrokerProcess broker = BrokerProcess.start(data, "");
        try (Connection c = amqp(broker).newConnection()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare("payments", "x-message-deduplication", true, false,
                    Map.of("x-cache-size", 10_000, "x-cache-ttl", 3_600_000));
            ch.queueDeclare("payments.in", true, false, false, null);
            ch.queueBind("payments.in", "payments", "");
            ch.queueDeclare("jobs", true, false, false, Map.of("x-message-deduplication", true));
            ch.confirmSelect();
            for (int i = 0; i < 200; i++) {
                ch.basicPublish("payments", "", keyed("p-" + i), ("p-" + i).getBytes(StandardCharsets.UTF_8));
                ch.basicPublish("", "jobs", keyed("j-" + i), ("j-" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        } finally {
            broker.kill();
        }
        try (BrokerProcess again = BrokerProcess.start(data, "");
             Connection c = amqp(again).newConnection()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            for (int i = 0; i < 200; i++) {
                ch.basicPublish("payments", "", keyed("p-" + i), "retry".getBytes(StandardCharsets.UTF_8));
                ch.basicPublish("", "jobs", keyed("j-" + i), "retry".getBytes(StandardCharsets.UTF_8));
            }
            ch.basicPublish("payments", "", keyed("p-new"), "new".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(10_000);
            List<String> payments = drain(ch, "payments.in");
            assertThat(payments).hasSize(201).doesNotContain("retry").endsWith("new");
            assertThat(drain(ch, "jobs")).hasSize(200).doesNotContain("retry");
        }
    }
}
