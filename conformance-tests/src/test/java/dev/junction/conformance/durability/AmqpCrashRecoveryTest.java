package dev.junction.conformance.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerProcess;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publisher confirm for a persistent message in a durable queue means the message is on disk: the broker is
 * killed with SIGKILL in the middle of a confirmed stream, restarted, and every confirmed message is there.
 */
class AmqpCrashRecoveryTest {
    private static final int ROUNDS = 3;
    private static final int CONFIRMED_BEFORE_KILL = 3000;

    @TempDir
    Path dir;

    @Test
    void everyConfirmedPersistentMessageSurvivesRepeatedSigkill() throws Exception {
        Path data = dir.resolve("data");
        Set<Long> confirmed = ConcurrentHashMap.newKeySet();
        long next = 0;
        for (int round = 0; round < ROUNDS; round++) {
            BrokerProcess broker = BrokerProcess.start(data, "");
            try {
                next = publishUntilKilled(broker, next, confirmed);
            } finally {
                broker.kill();
            }
        }
        try (BrokerProcess broker = BrokerProcess.start(data, "")) {
            Map<Long, Integer> seen = new HashMap<>();
            ConnectionFactory f = new ConnectionFactory();
            f.setPort(broker.port("amqp"));
            try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                GetResponse r;
                while ((r = ch.basicGet("crash", true)) != null) {
                    long n = ByteBuffer.wrap(r.getBody()).getLong();
                    int times = seen.merge(n, 1, Integer::sum);
                    if (times > 1) {
                        assertThat(r.getEnvelope().isRedeliver()).as("duplicate of %d is flagged redelivered", n)
                                .isTrue();
                    }
                }
            }
            assertThat(confirmed).hasSizeGreaterThanOrEqualTo(ROUNDS * CONFIRMED_BEFORE_KILL);
            assertThat(seen.keySet()).as("messages lost after SIGKILL: confirmed but not recovered")
                    .containsAll(confirmed);
        }
    }

    /** Publishes numbered persistent messages with confirms, kills the broker mid-stream, returns the next n. */
    private static long publishUntilKilled(BrokerProcess broker, long first, Set<Long> confirmed) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.port("amqp"));
        f.setAutomaticRecoveryEnabled(false);
        Connection c = f.newConnection();
        Channel ch = c.createChannel();
        ch.queueDeclare("crash", true, false, false, null);
        ch.confirmSelect();
        NavigableMap<Long, Long> outstanding = new ConcurrentSkipListMap<>();
        ch.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long tag, boolean multiple) {
                NavigableMap<Long, Long> done = multiple ? outstanding.headMap(tag, true)
                        : outstanding.subMap(tag, true, tag, true);
                confirmed.addAll(new TreeMap<>(done).values());
                done.clear();
            }

            @Override
            public void handleNack(long tag, boolean multiple) {
                (multiple ? outstanding.headMap(tag, true) : outstanding.subMap(tag, true, tag, true)).clear();
            }
        });
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        long n = first;
        int before = confirmed.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline) {
                outstanding.put(ch.getNextPublishSeqNo(), n);
                ch.basicPublish("", "crash", persistent, ByteBuffer.allocate(8).putLong(n).array());
                n++;
                if (confirmed.size() - before >= CONFIRMED_BEFORE_KILL) {
                    broker.kill(); // mid-stream: publishes and confirms are still in flight
                    break;
                }
                if (outstanding.size() > 500) {
                    ch.waitForConfirms(5000);
                }
            }
        } catch (Exception expectedOnceKilled) {
            // The connection dies with the broker.
        } finally {
            try {
                c.abort();
            } catch (Exception ignored) {
                // already gone
            }
        }
        assertThat(confirmed.size() - before).as("confirms before the kill").isGreaterThanOrEqualTo(
                CONFIRMED_BEFORE_KILL);
        return n;
    }
}
