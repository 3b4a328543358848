package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.publishConfirmed;
import static dev.junction.conformance.amqp.AmqpSupport.str;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Return;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Queue behaviour seen through the stock client: polling, message properties, declarations and deletion. */
@Timeout(30)
class QueueFeaturesTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void basicGetReturnsMessagesWithTheRemainingCountThenNullWhenEmpty() throws Exception {
        // AMQP 0-9-1 basic.get-ok: message-count = messages remaining; basic.get-empty => client returns null
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.get"), false, false, true, null).getQueue();
            for (String m : List.of("a", "b", "c")) {
                publishConfirmed(ch, "", q, null, m);
            }
            GetResponse first = ch.basicGet(q, true);
            assertThat(text(first.getBody())).isEqualTo("a");
            assertThat(first.getMessageCount()).isEqualTo(2);
            assertThat(first.getEnvelope().getRoutingKey()).isEqualTo(q);
            assertThat(first.getEnvelope().getExchange()).isEmpty();
            assertThat(first.getEnvelope().isRedeliver()).isFalse();
            assertThat(ch.basicGet(q, true).getMessageCount()).isEqualTo(1);
            assertThat(ch.basicGet(q, true).getMessageCount()).isZero();
            assertThat(ch.basicGet(q, true)).isNull();
        }
    }

    @Test
    void largeAndEmptyBodiesRoundTripThroughGetAndConsume() throws Exception {
        // AMQP 0-9-1 section 4.2.6: a body is split into frames of at most frame-max; an empty body has no frames
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.sizes"), false, false, true, null).getQueue();
            byte[] large = new byte[1024 * 1024 + 17];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 31 + 7);
            }
            ch.basicPublish("", q, null, large);
            ch.basicPublish("", q, null, new byte[0]);
            ch.basicPublish("", q, null, large);
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            assertThat(ch.basicGet(q, true).getBody()).isEqualTo(large);
            assertThat(ch.basicGet(q, true).getBody()).isEmpty();
            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            c.createChannel().basicConsume(q, true, (t, d) -> got.add(d), t -> { });
            assertThat(next(got, "the large delivery").getBody()).isEqualTo(large);
        }
    }

    @Test
    void everyBasicPropertyAndHeaderFieldTypeRoundTrips() throws Exception {
        // AMQP 0-9-1 basic content properties and RabbitMQ field-table types survive the broker unchanged
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.props"), false, false, true, null).getQueue();
            Map<String, Object> nested = new HashMap<>();
            nested.put("inner", "value");
            Map<String, Object> headers = new HashMap<>();
            headers.put("string", "text");
            headers.put("int", 42);
            headers.put("long", 1L << 40);
            headers.put("bool", true);
            headers.put("double", 2.5d);
            headers.put("float", 1.5f);
            headers.put("decimal", new java.math.BigDecimal("12.345"));
            headers.put("timestamp", new java.util.Date(1_700_000_000_000L));
            headers.put("bytes", new byte[] {1, 2, 3});
            headers.put("table", nested);
            headers.put("array", List.of("a", 1, false));
            headers.put("void", null);
            java.util.Date timestamp = new java.util.Date(1_600_000_000_000L);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json")
                    .contentEncoding("gzip").headers(headers).deliveryMode(2).priority(3).correlationId("corr")
                    .replyTo("reply-here").expiration("600000").messageId("msg-1").timestamp(timestamp)
                    .type("kind").userId("guest").appId("app").clusterId("cluster").build();
            publishConfirmed(ch, "", q, props, "payload");
            AMQP.BasicProperties got = getWithin(ch, q, true).getProps();
            assertThat(got.getContentType()).isEqualTo("application/json");
            assertThat(got.getContentEncoding()).isEqualTo("gzip");
            assertThat(got.getDeliveryMode()).isEqualTo(2);
            assertThat(got.getPriority()).isEqualTo(3);
            assertThat(got.getCorrelationId()).isEqualTo("corr");
            assertThat(got.getReplyTo()).isEqualTo("reply-here");
            assertThat(got.getExpiration()).isEqualTo("600000");
            assertThat(got.getMessageId()).isEqualTo("msg-1");
            assertThat(got.getTimestamp()).isEqualTo(timestamp);
            assertThat(got.getType()).isEqualTo("kind");
            assertThat(got.getUserId()).isEqualTo("guest");
            assertThat(got.getAppId()).isEqualTo("app");
            assertThat(got.getClusterId()).isEqualTo("cluster");
            Map<String, Object> h = got.getHeaders();
            assertThat(str(h.get("string"))).isEqualTo("text");
            assertThat(h.get("int")).isEqualTo(42);
            assertThat(h.get("long")).isEqualTo(1L << 40);
            assertThat(h.get("bool")).isEqualTo(true);
            assertThat(h.get("double")).isEqualTo(2.5d);
            assertThat(h.get("float")).isEqualTo(1.5f);
            assertThat(h.get("decimal")).isEqualTo(new java.math.BigDecimal("12.345"));
            assertThat(h.get("timestamp")).isEqualTo(new java.util.Date(1_700_000_000_000L));
            assertThat(h.get("bytes")).isEqualTo(new byte[] {1, 2, 3});
            assertThat(h.get("table")).isInstanceOf(Map.class);
            assertThat(str(((Map<?, ?>) h.get("table")).get("inner"))).isEqualTo("value");
            assertThat(((List<?>) h.get("array")).stream().map(AmqpSupport::str)).containsExactly("a", "1", "false");
            assertThat(h).containsKey("void");
            assertThat(h.get("void")).isNull();
        }
    }

    @Test
    void exchangeToExchangeBindingForwardsMatchingMessages() throws Exception {
        // RabbitMQ exchange.bind: messages routed by the source exchange flow into the destination exchange
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String source = unique("qf.e2e-src");
            String destination = unique("qf.e2e-dst");
            // Not auto-delete: the source would go with its last binding when the test unbinds it.
            ch.exchangeDeclare(source, BuiltinExchangeType.DIRECT, false, false, null);
            ch.exchangeDeclare(destination, BuiltinExchangeType.FANOUT, false, false, null);
            ch.exchangeBind(destination, source, "forward");
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(q, destination, "");
            publishConfirmed(ch, source, "forward", null, "forwarded");
            publishConfirmed(ch, source, "other", null, "not-forwarded");
            assertThat(drain(ch, q)).containsExactly("forwarded");
            ch.exchangeUnbind(destination, source, "forward");
            publishConfirmed(ch, source, "forward", null, "after-unbind");
            assertThat(drain(ch, q)).isEmpty();
            ch.exchangeDelete(source);
            ch.exchangeDelete(destination);
        }
    }

    @Test
    void alternateExchangeReceivesUnroutableMessagesAndSuppressesTheReturn() throws Exception {
        // RabbitMQ alternate-exchange: unroutable messages go to the AE; routed via the AE means no basic.return
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
            ch.addReturnListener(returns::add);
            String ae = unique("qf.ae");
            ch.exchangeDeclare(ae, BuiltinExchangeType.FANOUT, false, true, null);
            String unrouted = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(unrouted, ae, "");
            String main = unique("qf.main");
            ch.exchangeDeclare(main, BuiltinExchangeType.DIRECT, false, true, args("alternate-exchange", ae));
            String routed = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(routed, main, "known");

            ch.basicPublish(main, "known", true, null, bytes("to-main"));
            ch.basicPublish(main, "unknown", true, null, bytes("to-ae"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            assertThat(drain(ch, routed)).containsExactly("to-main");
            assertThat(drain(ch, unrouted)).containsExactly("to-ae");
            assertThat(returns).isEmpty();
        }
    }

    @Test
    void passiveDeclareReportsReadyMessageAndConsumerCounts() throws Exception {
        // AMQP 0-9-1 queue.declare-ok: message-count (ready, not unacked) and consumer-count
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.counts"), false, false, true, null).getQueue();
            for (String m : List.of("1", "2", "3")) {
                publishConfirmed(ch, "", q, null, m);
            }
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive(q);
            assertThat(ok.getQueue()).isEqualTo(q);
            assertThat(ok.getMessageCount()).isEqualTo(3);
            assertThat(ok.getConsumerCount()).isZero();

            Channel consumer = c.createChannel();
            consumer.basicQos(1);
            BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
            consumer.basicConsume(q, false, (t, d) -> got.add(d), t -> { });
            next(got, "the one delivery prefetch allows");
            ok = ch.queueDeclarePassive(q);
            assertThat(ok.getConsumerCount()).isEqualTo(1);
            assertThat(ok.getMessageCount()).isEqualTo(2);
        }
    }

    @Test
    void queuePurgeReturnsTheNumberOfMessagesPurged() throws Exception {
        // AMQP 0-9-1 queue.purge-ok: message-count = number of messages purged
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.purge"), false, false, true, null).getQueue();
            for (int i = 0; i < 5; i++) {
                publishConfirmed(ch, "", q, null, "m" + i);
            }
            assertThat(ch.queuePurge(q).getMessageCount()).isEqualTo(5);
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
            assertThat(ch.queuePurge(q).getMessageCount()).isZero();
        }
    }

    @Test
    void queueDeleteIfEmptyOnANonEmptyQueueFailsWith406AndKeepsTheQueue() throws Exception {
        // AMQP 0-9-1 queue.delete if-empty: a non-empty queue => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.delete"), false, false, false, null).getQueue();
            publishConfirmed(ch, "", q, null, "keep-me");
            Channel doomed = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> doomed.queueDelete(q, false, true));
            AmqpSupport.assertChannelClosed(e, 406);
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(1);
            assertThat(ch.queueDelete(q).getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void queueDeleteIfUnusedOnAQueueWithAConsumerFailsWith406() throws Exception {
        // AMQP 0-9-1 queue.delete if-unused: a queue with consumers => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("qf.inuse"), false, false, false, null).getQueue();
            ch.basicConsume(q, true, (t, d) -> { }, t -> { });
            Channel doomed = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> doomed.queueDelete(q, true, false));
            AmqpSupport.assertChannelClosed(e, 406);
            assertThat(ch.queueDeclarePassive(q).getConsumerCount()).isEqualTo(1);
            ch.queueDelete(q);
        }
    }

    @Test
    void autoDeleteQueueIsDeletedWhenItsLastConsumerCancels() throws Exception {
        // AMQP 0-9-1 queue.declare auto-delete: the queue is deleted when its last consumer unsubscribes
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("qf.autodelete"), false, false, true, null).getQueue();
            String tag = ch.basicConsume(q, true, (t, d) -> { }, t -> { });
            ch.basicCancel(tag);
            awaitQueueGone(c, q);
        }
    }

    @Test
    void queueWithXExpiresIsDeletedAfterStayingUnused() throws Exception {
        // RabbitMQ x-expires: a queue unused (no consumers, no redeclare, no get) for that long is deleted
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("qf.expires"), false, false, false, args("x-expires", 200))
                    .getQueue();
            awaitQueueGone(c, q);
        }
    }

    /**
     * Probes with queue.bind (each on a fresh channel, since a 404 closes it) until the queue is gone. Not with a
     * passive declare: in RabbitMQ that counts as use and restarts the x-expires timer.
     */
    private static void awaitQueueGone(Connection c, String q) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(AmqpSupport.WAIT_MS);
        while (true) {
            Channel probe = c.createChannel();
            try {
                probe.queueBind(q, "amq.direct", "probe");
            } catch (IOException e) {
                AmqpSupport.assertChannelClosed(e, 404);
                return;
            }
            probe.close();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("queue '" + q + "' still exists");
            }
            Thread.sleep(20);
        }
    }
}
