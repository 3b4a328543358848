package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code x-message-deduplication} exchange as the message-deduplication plugin defines it, with the stock
 * client: a repeated {@code x-deduplication-header} is routed nowhere within the window, routed again after its
 * {@code x-cache-ttl}, and the {@code x-cache-size} bounds what is remembered.
 */
@Timeout(60)
class MessageDeduplicationTest {
    private static final String TYPE = "x-message-deduplication";

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    private static AMQP.BasicProperties keyed(String key, Object ttl) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("x-deduplication-header", key);
        if (ttl != null) {
            headers.put("x-cache-ttl", ttl);
        }
        return new AMQP.BasicProperties.Builder().headers(headers).build();
    }

    /** A deduplication exchange with {@code xArgs} and one queue bound to it (any key: it routes like fanout). */
    private static String queueBehind(Channel ch, String x, Map<String, Object> xArgs) throws IOException {
        ch.exchangeDeclare(x, TYPE, false, true, xArgs);
        String q = ch.queueDeclare().getQueue();
        ch.queueBind(q, x, "ignored");
        return q;
    }

    private static void publish(Channel ch, String x, AMQP.BasicProperties props, String body) throws Exception {
        ch.basicPublish(x, "any.key", props, bytes(body));
        ch.waitForConfirmsOrDie(5000);
    }

    @Test
    void duplicatesWithinTheWindowAreConfirmedButNotRouted() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("dedup");
            String q = queueBehind(ch, x, args("x-cache-size", 100));
            publish(ch, x, keyed("order-1", null), "first");
            publish(ch, x, keyed("order-1", null), "again");
            publish(ch, x, keyed("order-2", null), "other");
            publish(ch, x, null, "no header");
            publish(ch, x, null, "no header");
            assertThat(drain(ch, q)).containsExactly("first", "other", "no header", "no header");
        }
    }

    @Test
    void aPublisherRetryingAfterALostConfirmLeavesOneCopy() throws Exception {
        String x = unique("dedup.retry");
        String q;
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(x, TYPE, false, false, args("x-cache-size", "1000", "x-cache-ttl", 60_000));
            q = ch.queueDeclare(unique("dedup.retry.q"), false, false, true, null).getQueue();
            ch.queueBind(q, x, "");
            // The first attempt's connection dies before the client saw its confirm.
            ch.basicPublish(x, "", keyed("payment-42", null), bytes("attempt 1"));
        }
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            publish(ch, x, keyed("payment-42", null), "attempt 2"); // the retry: confirmed, not routed
            assertThat(drain(ch, q)).containsExactly("attempt 1");
            ch.exchangeDelete(x);
        }
    }

    @Test
    void aKeyIsAcceptedAgainAfterItsTtl() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("dedup.ttl");
            String q = queueBehind(ch, x, args("x-cache-size", 100, "x-cache-ttl", 300));
            publish(ch, x, keyed("exchange-ttl", null), "1");
            publish(ch, x, keyed("message-ttl", 200), "2"); // the header's TTL overrides the exchange's
            publish(ch, x, keyed("long", 60_000), "3");
            publish(ch, x, keyed("exchange-ttl", null), "dropped");
            Thread.sleep(700); // well past both windows (tolerance for a slow machine is on the other side)
            publish(ch, x, keyed("exchange-ttl", null), "4");
            publish(ch, x, keyed("message-ttl", 200), "5");
            publish(ch, x, keyed("long", 60_000), "still a duplicate");
            assertThat(drain(ch, q)).containsExactly("1", "2", "3", "4", "5");
        }
    }

    @Test
    void theCacheSizeBoundsTheKeysRememberedOldestFirst() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String x = unique("dedup.size");
            String q = queueBehind(ch, x, args("x-cache-size", 2));
            publish(ch, x, keyed("a", null), "a");
            publish(ch, x, keyed("b", null), "b");
            publish(ch, x, keyed("c", null), "c"); // evicts a
            publish(ch, x, keyed("c", null), "c again");
            publish(ch, x, keyed("a", null), "a again");
            assertThat(drain(ch, q)).containsExactly("a", "b", "c", "a again");
        }
    }

    @Test
    void theCacheSizeIsRequired() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            assertThat(assertChannelClosed(assertThrows(IOException.class,
                    () -> ch.exchangeDeclare(unique("dedup.nosize"), TYPE, false, true, null)), 406).getReplyText())
                    .isEqualTo("PRECONDITION_FAILED - Missing or invalid argument, "
                            + "'x-cache-size' must be an integer greater than 0");
        }
    }
}
