package dev.junction.conformance.streams;

import static dev.junction.conformance.streams.StreamSupport.args;
import static dev.junction.conformance.streams.StreamSupport.channelClose;
import static dev.junction.conformance.streams.StreamSupport.connect;
import static dev.junction.conformance.streams.StreamSupport.declareStream;
import static dev.junction.conformance.streams.StreamSupport.publish;
import static dev.junction.conformance.streams.StreamSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.ConformanceBroker;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What RabbitMQ 3.10.8 refuses on a stream beyond the declaration checks, each reply observed on RabbitMQ 3.10.8
 * itself: basic.nack and basic.reject (540, the connection closes; inside a transaction at tx.commit), the order of
 * the consumer refusals (the missing prefetch, 406, before automatic acknowledgement, 540; a channel-wide qos is no
 * consumer prefetch), and which arguments a redeclare must repeat (406 inequivalent arg for the retention and
 * segment arguments, with RabbitMQ's wording; the arguments a stream ignores may differ).
 */
@Timeout(60)
class StreamRefusalsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    private static final int BASIC = 60;
    private static final int BASIC_REJECT = 90;
    private static final int BASIC_NACK = 120;

    private enum Refusal { NACK_REQUEUE, NACK_DISCARD, NACK_MULTIPLE, REJECT_REQUEUE, REJECT_DISCARD }

    /** Consumes one delivery of a fresh one-message stream, settles it as {@code how}; the connection's close. */
    private static AMQP.Connection.Close settleOnce(Refusal how, boolean transactional, StringBuilder name)
            throws Exception {
        Connection c = connect(broker);
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            String s = declareStream(c.createChannel(), "st.nack");
            name.append(s);
            publish(c.createChannel(), s, "one");
            Channel ch = c.createChannel();
            ch.basicQos(10);
            BlockingQueue<Long> tags = new LinkedBlockingQueue<>();
            ch.basicConsume(s, false, Map.of("x-stream-offset", "first"),
                    (t, d) -> tags.add(d.getEnvelope().getDeliveryTag()), t -> { });
            Long tag = tags.poll(10, TimeUnit.SECONDS);
            assertThat(tag).as("the delivery").isNotNull();
            if (transactional) {
                ch.txSelect();
            }
            switch (how) {
                case NACK_REQUEUE -> ch.basicNack(tag, false, true);
                case NACK_DISCARD -> ch.basicNack(tag, false, false);
                case NACK_MULTIPLE -> ch.basicNack(tag, true, false);
                case REJECT_REQUEUE -> ch.basicReject(tag, true);
                case REJECT_DISCARD -> ch.basicReject(tag, false);
            }
            if (transactional) {
                assertThrows(Exception.class, ch::txCommit);
            }
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            assertThat(signal.isHardError()).as("connection error").isTrue();
            return (AMQP.Connection.Close) signal.getReason();
        } finally {
            if (c.isOpen()) {
                c.abort();
            }
        }
    }

    @Test
    void nackAndRejectCloseTheConnectionWith540() throws Exception {
        // RabbitMQ 3.10 stream queues: basic.nack and basic.reject, requeue or not, are not implemented (540, a
        // connection error, naming the method); a stream cannot requeue or discard one message.
        for (Refusal how : Refusal.values()) {
            StringBuilder name = new StringBuilder();
            AMQP.Connection.Close close = settleOnce(how, false, name);
            assertThat(close.getReplyCode()).as(how.name()).isEqualTo(540);
            assertThat(close.getReplyText()).as(how.name()).isEqualTo("NOT_IMPLEMENTED - basic.nack and basic.reject "
                    + "not supported by stream queues queue '" + name + "' in vhost '/'");
            assertThat(close.getClassId()).as(how.name()).isEqualTo(BASIC);
            assertThat(close.getMethodId()).as(how.name())
                    .isEqualTo(how.name().startsWith("NACK") ? BASIC_NACK : BASIC_REJECT);
        }
    }

    @Test
    void aNackInsideATransactionIsRefusedAtCommit() throws Exception {
        // RabbitMQ 3.10 stream queues: in a transaction the nack is taken and the commit is refused (tx.commit, 90/20).
        StringBuilder name = new StringBuilder();
        AMQP.Connection.Close close = settleOnce(Refusal.NACK_DISCARD, true, name);
        assertThat(close.getReplyCode()).isEqualTo(540);
        assertThat(close.getReplyText()).contains("basic.nack and basic.reject not supported by stream queues");
        assertThat(close.getClassId()).isEqualTo(90);
        assertThat(close.getMethodId()).isEqualTo(20);
    }

    @Test
    void anAutoAckConsumerWithoutQosIsToldThePrefetchIsMissing() throws Exception {
        // RabbitMQ 3.10 stream queues check the consumer's prefetch before its acknowledgement mode: no-ack without
        // basic.qos is the 406 on the channel, not the 540 on the connection.
        try (Connection c = connect(broker)) {
            String s = declareStream(c.createChannel(), "st.autoack.noqos");
            Channel ch = c.createChannel();
            Exception e = assertThrows(Exception.class, () -> ch.basicConsume(s, true, (t, d) -> { }, t -> { }));
            AMQP.Channel.Close close = channelClose(e);
            assertThat(close.getReplyCode()).isEqualTo(406);
            assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - consumer prefetch count is not set "
                    + "for 'queue '" + s + "' in vhost '/''");
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void aChannelWideQosIsNoConsumerPrefetch() throws Exception {
        // RabbitMQ 3.10 stream queues read the consumer prefetch (basic.qos global=false) only.
        try (Connection c = connect(broker)) {
            String s = declareStream(c.createChannel(), "st.globalqos");
            Channel ch = c.createChannel();
            ch.basicQos(10, true);
            Exception e = assertThrows(Exception.class, () -> ch.basicConsume(s, false, (t, d) -> { }, t -> { }));
            assertThat(channelClose(e).getReplyText()).isEqualTo("PRECONDITION_FAILED - consumer prefetch count is "
                    + "not set for 'queue '" + s + "' in vhost '/''");
        }
    }

    /** Declares a stream with {@code first}, redeclares it with {@code second}; the 406 text or null when taken. */
    private static String redeclare(Map<String, Object> first, Map<String, Object> second) throws Exception {
        try (Connection c = connect(broker)) {
            String name = unique("st.redeclare");
            Map<String, Object> a = args("x-queue-type", "stream");
            a.putAll(first);
            c.createChannel().queueDeclare(name, true, false, false, a);
            Map<String, Object> b = args("x-queue-type", "stream");
            b.putAll(second);
            b.values().removeIf(v -> v == Absent.VALUE);
            Channel ch = c.createChannel();
            try {
                ch.queueDeclare(name, true, false, false, b);
                return null;
            } catch (Exception e) {
                AMQP.Channel.Close close = channelClose(e);
                assertThat(close.getReplyCode()).isEqualTo(406);
                return close.getReplyText().replace(name, "S");
            }
        }
    }

    /** Marks an argument removed from the redeclare. */
    private enum Absent { VALUE }

    @Test
    void aRedeclareMustRepeatTheRetentionAndSegmentArguments() throws Exception {
        // RabbitMQ 3.10 stream queues compare x-max-length-bytes, x-queue-type, x-max-age,
        // x-stream-max-segment-size-bytes (and the cluster ones), in that order, worded as rabbit_misc does.
        String prefix = "PRECONDITION_FAILED - inequivalent arg ";
        assertThat(redeclare(Map.of("x-max-age", "7D"), Map.of("x-max-age", "1D")))
                .isEqualTo(prefix + "'x-max-age' for queue 'S' in vhost '/': received '1D' but current is '7D'");
        assertThat(redeclare(Map.of("x-max-age", "7D"), Map.of())).isEqualTo(prefix + "'x-max-age' for queue 'S' "
                + "in vhost '/': received none but current is the value '7D' of type 'longstr'");
        assertThat(redeclare(Map.of(), Map.of("x-max-age", "7D"))).isEqualTo(prefix + "'x-max-age' for queue 'S' "
                + "in vhost '/': received the value '7D' of type 'longstr' but current is none");
        assertThat(redeclare(Map.of("x-max-length-bytes", 1_000_000), Map.of("x-max-length-bytes", 2_000_000)))
                .isEqualTo(prefix + "'x-max-length-bytes' for queue 'S' in vhost '/': received '2000000' but "
                        + "current is '1000000'");
        assertThat(redeclare(Map.of(), Map.of("x-max-length-bytes", 5L))).isEqualTo(prefix + "'x-max-length-bytes' "
                + "for queue 'S' in vhost '/': received the value '5' of type 'long' but current is none");
        assertThat(redeclare(Map.of("x-stream-max-segment-size-bytes", 1_000_000),
                Map.of("x-stream-max-segment-size-bytes", 2_000_000))).isEqualTo(prefix
                + "'x-stream-max-segment-size-bytes' for queue 'S' in vhost '/': received '2000000' but current is "
                + "'1000000'");
        assertThat(redeclare(Map.of(), Map.of("x-queue-type", Absent.VALUE))).isEqualTo(prefix + "'x-queue-type' "
                + "for queue 'S' in vhost '/': received none but current is the value 'stream' of type 'longstr'");
        // The first compared argument that differs is named: x-max-length-bytes comes before x-max-age.
        assertThat(redeclare(Map.of(), Map.of("x-max-age", "1D", "x-max-length-bytes", 5)))
                .startsWith(prefix + "'x-max-length-bytes'");
    }

    @Test
    void aRedeclareMayDifferInArgumentsAStreamIgnores() throws Exception {
        // RabbitMQ 3.10 stream queues do not compare x-single-active-consumer, x-max-length or x-message-ttl, and
        // integers of another width are the same value.
        assertThat(redeclare(Map.of(), Map.of("x-single-active-consumer", true))).isNull();
        assertThat(redeclare(Map.of(), Map.of("x-max-length", 10))).isNull();
        assertThat(redeclare(Map.of(), Map.of("x-message-ttl", 10))).isNull();
        assertThat(redeclare(Map.of("x-stream-max-segment-size-bytes", 1_000_000),
                Map.of("x-stream-max-segment-size-bytes", 1_000_000L))).isNull();
        assertThat(redeclare(Map.of("x-max-age", "7D"), Map.of("x-max-age", "7D"))).isNull();
    }
}
