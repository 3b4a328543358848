package dev.junction.conformance.streams;

import static dev.junction.conformance.streams.StreamSupport.args;
import static dev.junction.conformance.streams.StreamSupport.bodies;
import static dev.junction.conformance.streams.StreamSupport.channelClose;
import static dev.junction.conformance.streams.StreamSupport.connect;
import static dev.junction.conformance.streams.StreamSupport.connectionClose;
import static dev.junction.conformance.streams.StreamSupport.consume;
import static dev.junction.conformance.streams.StreamSupport.declareStream;
import static dev.junction.conformance.streams.StreamSupport.publish;
import static dev.junction.conformance.streams.StreamSupport.take;
import static dev.junction.conformance.streams.StreamSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.streams.StreamSupport.Got;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Declaring streams and what RabbitMQ refuses on them, with RabbitMQ 3.10's codes and texts ("Streams", "Feature
 * Comparison" and "Usage"): non-durable, exclusive and auto-delete streams (406), a consumer without a prefetch
 * (406) or with automatic acknowledgement (540), basic.get (540), and retention by {@code x-max-length-bytes} that
 * deletes whole segments ({@code x-stream-max-segment-size-bytes}), moving the first offset.
 */
@Timeout(60)
class StreamDeclarationTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    private static final Map<String, Object> STREAM = Map.of("x-queue-type", "stream");

    private static String refusedDeclare(boolean durable, boolean exclusive, boolean autoDelete) throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String name = unique("st.refused");
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare(name, durable, exclusive, autoDelete,
                    STREAM));
            AMQP.Channel.Close close = channelClose(e);
            assertThat(close.getReplyCode()).isEqualTo(406);
            return close.getReplyText().replace(name, "NAME");
        }
    }

    @Test
    void nonDurableExclusiveAndAutoDeleteStreamsAreRefusedWithRabbitMqsTexts() throws Exception {
        assertThat(refusedDeclare(false, false, false))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'NAME' in vhost '/'");
        assertThat(refusedDeclare(true, true, false))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'exclusive-owner' for queue 'NAME' in vhost '/'");
        assertThat(refusedDeclare(true, false, true))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'NAME' in vhost '/'");
    }

    @Test
    void aRedeclareIsEquivalentAndAClassicQueueOfTheSameNameIsNot() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.redeclare");
            assertThat(ch.queueDeclare(s, true, false, false, STREAM).getQueue()).isEqualTo(s);
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare(s, true, false, false, null));
            assertThat(channelClose(e).getReplyText()).startsWith("PRECONDITION_FAILED - inequivalent arg "
                    + "'x-queue-type'");
        }
    }

    @Test
    void aClassicQueueRedeclaredWithoutAnArgumentItHasIsRefusedNotAnInternalError() throws Exception {
        // Found with streams: an argument present on the queue and absent from the redeclare was a 541 (a null
        // compared by type) instead of RabbitMQ's 406 inequivalent arg.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("classic.ttl"), false, false, true, Map.of("x-message-ttl", 1000))
                    .getQueue();
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare(q, false, false, true, null));
            AMQP.Channel.Close close = channelClose(e);
            assertThat(close.getReplyCode()).isEqualTo(406);
            assertThat(close.getReplyText()).startsWith("PRECONDITION_FAILED - inequivalent arg 'x-message-ttl'");
        }
    }

    @Test
    void aConsumerWithoutPrefetchIsRefusedWith406() throws Exception {
        try (Connection c = connect(broker)) {
            String s = declareStream(c.createChannel(), "st.noqos");
            Channel ch = c.createChannel();
            Exception e = assertThrows(Exception.class, () -> ch.basicConsume(s, false, (t, d) -> { }, t -> { }));
            AMQP.Channel.Close close = channelClose(e);
            assertThat(close.getReplyCode()).isEqualTo(406);
            assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - consumer prefetch count is not set "
                    + "for 'queue '" + s + "' in vhost '/''");
        }
    }

    @Test
    void anAutoAckConsumerIsRefusedWith540AndTheConnectionCloses() throws Exception {
        Connection c = connect(broker);
        try {
            String s = declareStream(c.createChannel(), "st.autoack");
            Channel ch = c.createChannel();
            ch.basicQos(10);
            Exception e = assertThrows(Exception.class, () -> ch.basicConsume(s, true, (t, d) -> { }, t -> { }));
            AMQP.Connection.Close close = connectionClose(e);
            assertThat(close.getReplyCode()).isEqualTo(540);
            assertThat(close.getReplyText()).isEqualTo("NOT_IMPLEMENTED - automatic acknowledgement not supported "
                    + "by stream queues queue '" + s + "' in vhost '/'");
        } finally {
            if (c.isOpen()) {
                c.close();
            }
        }
    }

    @Test
    void basicGetIsRefusedWith540() throws Exception {
        Connection c = connect(broker);
        try {
            String s = declareStream(c.createChannel(), "st.get");
            Channel ch = c.createChannel();
            Exception e = assertThrows(Exception.class, () -> ch.basicGet(s, false));
            AMQP.Connection.Close close = connectionClose(e);
            assertThat(close.getReplyCode()).isEqualTo(540);
            assertThat(close.getReplyText()).isEqualTo("NOT_IMPLEMENTED - basic.get not supported by stream "
                    + "queues queue '" + s + "' in vhost '/'");
        } finally {
            if (c.isOpen()) {
                c.close();
            }
        }
    }

    @Test
    void anUnreadableOffsetIsRefusedWith406() throws Exception {
        try (Connection c = connect(broker)) {
            String s = declareStream(c.createChannel(), "st.badoffset");
            Channel ch = c.createChannel();
            Exception e = assertThrows(Exception.class, () -> consume(ch, s, "yesterday"));
            assertThat(channelClose(e).getReplyText()).startsWith("PRECONDITION_FAILED - invalid arg "
                    + "'x-stream-offset' for queue '" + s + "' in vhost '/'");
        }
    }

    @Test
    void retentionDeletesWholeSegmentsAndTheFirstOffsetMovesOn() throws Exception {
        // "Data Retention": x-max-length-bytes is applied by deleting whole segments of
        // x-stream-max-segment-size-bytes, when a new segment starts; the newest data stays.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.retention", "x-max-length-bytes", 20_000,
                    "x-stream-max-segment-size-bytes", 5_000);
            String[] bodies = new String[400];
            for (int i = 0; i < bodies.length; i++) {
                bodies[i] = "message-" + i + "-" + "x".repeat(80);
            }
            publish(ch, s, bodies);
            int kept = ch.queueDeclarePassive(s).getMessageCount();
            assertThat(kept).as("old segments are gone").isLessThan(400).isGreaterThan(100);
            List<Got> got = take(consume(c.createChannel(), s, "first"), 1);
            assertThat(got.get(0).offset()).as("first moved on").isEqualTo(400 - kept);
            assertThat(bodies(got).get(0)).startsWith("message-" + (400 - kept) + "-");
        }
    }

    @Test
    void invalidRetentionArgumentsAreRefused() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String name = unique("st.badage");
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare(name, true, false, false,
                    args("x-queue-type", "stream", "x-max-age", "7 days")));
            assertThat(channelClose(e).getReplyText()).isEqualTo("PRECONDITION_FAILED - invalid arg 'x-max-age' "
                    + "for queue '" + name + "' in vhost '/': invalid_max_age");
            Channel again = c.createChannel();
            Exception big = assertThrows(Exception.class, () -> again.queueDeclare(unique("st.big"), true, false,
                    false, args("x-queue-type", "stream", "x-stream-max-segment-size-bytes", 4_000_000_000L)));
            assertThat(channelClose(big).getReplyText())
                    .isEqualTo("PRECONDITION_FAILED - Exceeded max value for x-stream-max-segment-size-bytes");
        }
    }
}
