package dev.junction.conformance.streams;

import static dev.junction.conformance.streams.StreamSupport.bodies;
import static dev.junction.conformance.streams.StreamSupport.connect;
import static dev.junction.conformance.streams.StreamSupport.consume;
import static dev.junction.conformance.streams.StreamSupport.declareStream;
import static dev.junction.conformance.streams.StreamSupport.publish;
import static dev.junction.conformance.streams.StreamSupport.take;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.streams.StreamSupport.Got;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a stream consumer starts, per RabbitMQ's "Streams" guide ("Consuming", the {@code x-stream-offset}
 * consumer argument): first, last, next (the default), a numeric offset, a timestamp and an interval; every
 * delivery carries its offset in the {@code x-stream-offset} header; consuming removes nothing, so two consumers
 * read the same messages; single active consumer works on a stream.
 */
@Timeout(60)
class StreamOffsetsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void firstReadsEverythingAndEachDeliveryCarriesItsOffset() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.first");
            publish(ch, s, "a", "b", "c");
            List<Got> got = take(consume(c.createChannel(), s, "first"), 3);
            assertThat(bodies(got)).containsExactly("a", "b", "c");
            assertThat(got).extracting(Got::offset).containsExactly(0L, 1L, 2L);
            // Consuming removed nothing: a second consumer reads the same, and the stream still counts 3.
            assertThat(bodies(take(consume(c.createChannel(), s, "first"), 3))).containsExactly("a", "b", "c");
            assertThat(ch.queueDeclarePassive(s).getMessageCount()).isEqualTo(3);
        }
    }

    @Test
    void nextIsTheDefaultAndSeesOnlyLaterMessages() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.next");
            publish(ch, s, "old");
            BlockingQueue<Got> byDefault = consume(c.createChannel(), s, null);
            BlockingQueue<Got> next = consume(c.createChannel(), s, "next");
            Thread.sleep(200);
            publish(ch, s, "new");
            assertThat(take(byDefault, 1)).containsExactly(new Got("new", 1));
            assertThat(take(next, 1)).containsExactly(new Got("new", 1));
            assertThat(byDefault.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void lastStartsAtTheLastMessage() throws Exception {
        // RabbitMQ starts at the last chunk; Junction's chunk is the last message (docs/patterns.md, Streams).
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.last");
            publish(ch, s, "a", "b", "c");
            BlockingQueue<Got> last = consume(c.createChannel(), s, "last");
            assertThat(take(last, 1)).containsExactly(new Got("c", 2));
            publish(ch, s, "d");
            assertThat(take(last, 1)).containsExactly(new Got("d", 3));
        }
    }

    @Test
    void aNumericOffsetStartsThere() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.offset");
            publish(ch, s, "m0", "m1", "m2", "m3", "m4");
            assertThat(take(consume(c.createChannel(), s, 3), 2))
                    .containsExactly(new Got("m3", 3), new Got("m4", 4));
            assertThat(take(consume(c.createChannel(), s, 3L), 1)).containsExactly(new Got("m3", 3));
        }
    }

    @Test
    void aTimestampStartsAtTheFirstMessageThenOrLater() throws Exception {
        // The AMQP timestamp type (seconds); the stock client sends a java.util.Date as one.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.ts");
            publish(ch, s, "before");
            Thread.sleep(2100); // timestamps have whole seconds on the wire
            Date at = Date.from(Instant.now().minusMillis(500));
            Thread.sleep(600);
            publish(ch, s, "after");
            assertThat(take(consume(c.createChannel(), s, at), 1)).containsExactly(new Got("after", 1));
            Date past = Date.from(Instant.now().minusSeconds(3600));
            assertThat(bodies(take(consume(c.createChannel(), s, past), 2))).containsExactly("before", "after");
        }
    }

    @Test
    void anIntervalCountsBackFromNow() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.interval");
            publish(ch, s, "x", "y");
            assertThat(bodies(take(consume(c.createChannel(), s, "30m"), 2))).containsExactly("x", "y");
            assertThat(bodies(take(consume(c.createChannel(), s, "7D"), 2))).containsExactly("x", "y");
        }
    }

    @Test
    void acknowledgementsMoveCreditNotData() throws Exception {
        // basic.qos is the window: with prefetch 2 and no ack, only 2 arrive; acking lets the next ones come.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.credit");
            publish(ch, s, "1", "2", "3", "4");
            Channel consumer = c.createChannel();
            consumer.basicQos(2);
            BlockingQueue<com.rabbitmq.client.Delivery> got = new java.util.concurrent.LinkedBlockingQueue<>();
            consumer.basicConsume(s, false, java.util.Map.of("x-stream-offset", "first"),
                    (tag, d) -> got.add(d), tag -> { });
            assertThat(got.poll(5, TimeUnit.SECONDS)).isNotNull();
            com.rabbitmq.client.Delivery second = got.poll(5, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(got.poll(300, TimeUnit.MILLISECONDS)).as("window of 2 used up").isNull();
            consumer.basicAck(second.getEnvelope().getDeliveryTag(), true);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(got.poll(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(ch.queueDeclarePassive(s).getMessageCount()).as("acks removed nothing").isEqualTo(4);
        }
    }

    @Test
    void singleActiveConsumerOnAStreamDeliversToOneUntilItCancels() throws Exception {
        // x-single-active-consumer, as on queues: the first consumer gets everything; on its cancel the next one
        // becomes active and starts where its own x-stream-offset says, resolved then.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String s = declareStream(ch, "st.sac", "x-single-active-consumer", true);
            Channel first = c.createChannel();
            BlockingQueue<Got> gotFirst = consume(first, s, "first");
            BlockingQueue<Got> gotSecond = consume(c.createChannel(), s, "next");
            publish(ch, s, "a", "b");
            assertThat(bodies(take(gotFirst, 2))).containsExactly("a", "b");
            assertThat(gotSecond.poll(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(ch.queueDeclarePassive(s).getConsumerCount()).isEqualTo(2);
            first.close();
            Thread.sleep(300);
            publish(ch, s, "c");
            assertThat(take(gotSecond, 1)).containsExactly(new Got("c", 2));
            assertThat(gotFirst).isEmpty();
        }
    }
}
