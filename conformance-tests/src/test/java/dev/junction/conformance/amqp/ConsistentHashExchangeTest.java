package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code x-consistent-hash} exchange as RabbitMQ's plugin defines it, with the stock client: binding key =
 * weight, every key on exactly one queue, keys spread by weight, hashing a header or a property, and a ring that a
 * new queue changes only by its share and a restart does not change at all.
 */
@Timeout(120)
class ConsistentHashExchangeTest {
    private static final String TYPE = "x-consistent-hash";
    private static final int KEYS = 10_000;

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @TempDir
    Path dir;

    /** Publishes one message per key (as {@code props} builds it) with confirms; the routing key is the key. */
    private static void publish(Channel ch, String x, int keys, IntFunction<AMQP.BasicProperties> props,
                                boolean keyAsRoutingKey) throws Exception {
        for (int i = 0; i < keys; i++) {
            ch.basicPublish(x, keyAsRoutingKey ? "key-" + i : "", props.apply(i), bytes("key-" + i));
        }
        ch.waitForConfirmsOrDie(30_000);
    }

    /** Key (the body) → queue, for every message in {@code queues}; fails if a key is in two queues. */
    private static Map<String, String> placement(Channel ch, List<String> queues) throws IOException {
        Map<String, String> where = new HashMap<>();
        for (String q : queues) {
            GetResponse r;
            while ((r = ch.basicGet(q, true)) != null) {
                String key = new String(r.getBody());
                String before = where.put(key, q);
                assertThat(before).as("key %s routed to %s and %s", key, before, q).isNull();
            }
        }
        return where;
    }

    private static long count(Map<String, String> placement, String q) {
        return placement.values().stream().filter(q::equals).count();
    }

    private String[] declare(Channel ch, String x, Map<String, Object> xArgs, String... weights) throws IOException {
        ch.exchangeDeclare(x, TYPE, true, false, xArgs);
        String[] queues = new String[weights.length];
        for (int i = 0; i < weights.length; i++) {
            queues[i] = unique("chx.q" + i);
            ch.queueDeclare(queues[i], true, false, false, null);
            ch.queueBind(queues[i], x, weights[i]);
        }
        return queues;
    }

    @Test
    void everyKeyLandsOnExactlyOneQueueAndKeysSpreadByWeight() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("chx");
            String[] q = declare(ch, x, null, "1", "3");
            publish(ch, x, KEYS, i -> null, true);
            Map<String, String> first = placement(ch, List.of(q));
            assertThat(first).hasSize(KEYS); // each key reached exactly one queue
            double share = 100.0 * count(first, q[1]) / KEYS;
            assertThat(share).as("share of the weight-3 queue, %").isBetween(70.0, 80.0);

            publish(ch, x, KEYS, i -> null, true);
            assertThat(placement(ch, List.of(q))).as("the same key goes to the same queue again").isEqualTo(first);
        }
    }

    @Test
    void aNewQueueTakesOnlyAboutItsShareOfKeys() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("chx");
            String[] q = declare(ch, x, null, "2", "2");
            publish(ch, x, KEYS, i -> null, true);
            Map<String, String> before = placement(ch, List.of(q));
            String added = unique("chx.added");
            ch.queueDeclare(added, true, false, false, null);
            ch.queueBind(added, x, "2");
            publish(ch, x, KEYS, i -> null, true);
            Map<String, String> after = placement(ch, List.of(q[0], q[1], added));
            long moved = before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).count();
            long toAdded = count(after, added);
            assertThat(moved).as("only keys that moved to the new queue changed queue").isEqualTo(toAdded);
            assertThat(100.0 * toAdded / KEYS).as("the new queue's share, %").isBetween(28.3, 38.3);
        }
    }

    @Test
    void hashHeaderSpreadsOnTheHeaderAndIgnoresTheRoutingKey() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("chx.h");
            String[] q = declare(ch, x, args("hash-header", "account"), "1", "1");
            IntFunction<AMQP.BasicProperties> props = i -> new AMQP.BasicProperties.Builder()
                    .headers(Map.of("account", "acct-" + (i % 1000))).build();
            publish(ch, x, 2000, props, false);
            Map<String, String> where = placement(ch, List.of(q));
            assertThat(where).hasSize(2000);
            for (int i = 0; i < 1000; i++) {
                assertThat(where.get("key-" + i)).as("same header, same queue").isEqualTo(where.get("key-" + (i + 1000)));
            }
            assertThat(100.0 * count(where, q[0]) / 2000).isBetween(40.0, 60.0);
        }
    }

    @Test
    void hashPropertyHashesMessageIdCorrelationIdOrTimestamp() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            Map<String, IntFunction<AMQP.BasicProperties>> byProperty = Map.of(
                    "message_id", i -> new AMQP.BasicProperties.Builder().messageId("m" + i % 500).build(),
                    "correlation_id", i -> new AMQP.BasicProperties.Builder().correlationId("c" + i % 500).build(),
                    "timestamp", i -> new AMQP.BasicProperties.Builder().timestamp(new Date((i % 500) * 1000L)).build());
            for (Map.Entry<String, IntFunction<AMQP.BasicProperties>> e : byProperty.entrySet()) {
                String x = unique("chx.p");
                String[] q = declare(ch, x, args("hash-property", e.getKey()), "1", "1");
                publish(ch, x, 1000, e.getValue(), true);
                Map<String, String> where = placement(ch, List.of(q));
                assertThat(where).hasSize(1000);
                for (int i = 0; i < 500; i++) {
                    assertThat(where.get("key-" + i)).as(e.getKey()).isEqualTo(where.get("key-" + (i + 500)));
                }
                assertThat(100.0 * count(where, q[0]) / 1000).as(e.getKey()).isBetween(35.0, 65.0);
            }
        }
    }

    @Test
    void invalidWeightsAndArgumentsAreRefusedWithRabbitMqsTexts() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String x = unique("chx.bad");
            ch.exchangeDeclare(x, TYPE, false, true, null);
            String q = ch.queueDeclare().getQueue();
            Channel bad = ch;
            assertThat(assertChannelClosed(assertThrows(IOException.class, () -> bad.queueBind(q, x, "heavy")), 406)
                    .getReplyText()).isEqualTo("PRECONDITION_FAILED - The binding key must be an integer: <<\"heavy\">>");
            Channel zero = c.createChannel();
            assertThat(assertChannelClosed(assertThrows(IOException.class, () -> zero.queueBind(q, x, "0")), 406)
                    .getReplyText()).isEqualTo("PRECONDITION_FAILED - The binding key must be greater than 0");
            Channel prop = c.createChannel();
            assertThat(assertChannelClosed(assertThrows(IOException.class, () -> prop.exchangeDeclare(unique("chx"),
                    TYPE, false, true, args("hash-property", "user_id"))), 406).getReplyText())
                    .isEqualTo("PRECONDITION_FAILED - Unsupported property: user_id");
            Channel both = c.createChannel();
            assertThat(assertChannelClosed(assertThrows(IOException.class, () -> both.exchangeDeclare(unique("chx"),
                    TYPE, false, true, args("hash-property", "message_id", "hash-header", "h"))), 406).getReplyText())
                    .isEqualTo("PRECONDITION_FAILED - hash-header and hash-property are mutually exclusive");
        }
    }

    @Test
    void aRestartRebuildsTheSameRing() throws Exception {
        Path data = dir.resolve("data");
        String x = "chx.durable";
        String[] q;
        Map<String, String> before;
        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            q = declare(ch, x, null, "3", "1", "2");
            ch.queueUnbind(q[1], x, "1");
            ch.queueBind(q[1], x, "1"); // now last on the ring, in memory and in the store
            publish(ch, x, 3000, i -> null, true);
            before = placement(ch, List.of(q));
        }
        broker.stop();
        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            publish(ch, x, 3000, i -> null, true);
            assertThat(placement(ch, List.of(q))).isEqualTo(before);
        }
    }
}
