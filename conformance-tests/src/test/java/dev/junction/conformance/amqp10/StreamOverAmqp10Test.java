package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.ConsumerBuilder;
import com.rabbitmq.client.amqp.ConsumerBuilder.StreamOffsetSpecification;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streams consumed over AMQP 1.0 with RabbitMQ's own client ({@code com.rabbitmq.client:amqp-client}), as RabbitMQ 4
 * serves them (docs/amqp10.md "Streams"): the start comes from the source filter {@code rabbitmq:stream-offset-spec}
 * (first, last, next, an offset, a timestamp, an interval; next without one), every delivery carries the message
 * annotation {@code x-stream-offset}, consuming removes nothing, and AMQP 0-9-1 and 1.0 consumers see the same
 * offsets. Streams are declared through the management node ({@code management().queue().stream()}).
 */
@Timeout(60)
class StreamOverAmqp10Test {
    private static final long WAIT_S = 10;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    private static final RabbitClient client = new RabbitClient(broker);

    /** One delivery: its body and its {@code x-stream-offset} annotation. */
    record Got(String body, long offset) {
    }

    private Connection connect() {
        return client.connect("guest", "guest", null);
    }

    /** A stream declared through the management node, as RabbitMQ's client declares one. */
    private static String declareStream(Connection c) {
        String s = id("stream");
        Management.QueueInfo info = c.management().queue(s).stream().queue().declare();
        assertThat(info.type()).isEqualTo(Management.QueueType.STREAM);
        return s;
    }

    /** A stream declared through the management node, holding {@code m0} to {@code m<n-1>} at offsets 0 to n-1. */
    private static String streamWith(Connection c, int n) throws Exception {
        String s = declareStream(c);
        publish(c, s, bodies("m", 0, n));
        return s;
    }

    /** Publishes each body over AMQP 1.0 and waits for its {@code accepted} (a stream's comes after its fsync). */
    private static void publish(Connection c, String stream, String... bodies) throws Exception {
        try (Publisher p = c.publisherBuilder().queue(stream).build()) {
            for (String b : bodies) {
                CompletableFuture<Publisher.Status> status = new CompletableFuture<>();
                p.publish(p.message(b.getBytes(StandardCharsets.UTF_8)), ctx -> status.complete(ctx.status()));
                assertThat(status.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(Publisher.Status.ACCEPTED);
            }
        }
    }

    /** Publishes each body over AMQP 0-9-1 with confirms. */
    private static void publish091(String stream, String... bodies) throws Exception {
        Channel ch = broker.amqpChannel();
        ch.confirmSelect();
        for (String b : bodies) {
            ch.basicPublish("", stream, null, b.getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(WAIT_S * 1000);
    }

    /**
     * A consumer of {@code stream} configured by {@code options} (its offset), accepting each delivery; every
     * delivery must carry {@code x-stream-offset} as a long.
     */
    private static BlockingQueue<Got> consume(Connection c, String stream, UnaryOperator<ConsumerBuilder> options) {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        options.apply(c.consumerBuilder().queue(stream).initialCredits(5).messageHandler((ctx, m) -> {
            Object offset = m.annotation("x-stream-offset");
            assertThat(offset).as("x-stream-offset is a long").isInstanceOf(Long.class);
            ctx.accept();
            got.add(new Got(new String(m.body(), StandardCharsets.UTF_8), (Long) offset));
        })).build();
        return got;
    }

    private static List<Got> take(BlockingQueue<Got> q, int n) throws InterruptedException {
        List<Got> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Got g = q.poll(WAIT_S, TimeUnit.SECONDS);
            assertThat(g).as("delivery %d of %d", i + 1, n).isNotNull();
            out.add(g);
        }
        return out;
    }

    /** The first {@code n} deliveries to a new consumer of {@code stream} from its first offset. */
    private static List<Got> fromFirst(Connection c, String stream, int n) throws InterruptedException {
        return take(consume(c, stream, b -> b.stream().offset(StreamOffsetSpecification.FIRST).builder()), n);
    }

    private static List<Got> numbered(String prefix, int from, int to) {
        List<Got> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new Got(prefix + i, i));
        }
        return out;
    }

    private static String[] bodies(String prefix, int from, int to) {
        return numbered(prefix, from, to).stream().map(Got::body).toArray(String[]::new);
    }

    @Test
    void aStreamDeclaredThroughTheManagementNodeIsAStreamForBothProtocols() throws Exception {
        Connection c = connect();
        String s = id("stream");
        Management.QueueInfo info = c.management().queue(s).stream().maxAge(Duration.ofDays(7)).queue().declare();
        assertThat(info.type()).isEqualTo(Management.QueueType.STREAM);
        assertThat(info.durable()).isTrue();
        assertThat(c.management().queueInfo(s).type()).isEqualTo(Management.QueueType.STREAM);
        // a stream cannot be purged (the engine's 540 over 0-9-1; a refusal status here)
        assertThatThrownBy(() -> c.management().queuePurge(s)).isInstanceOf(AmqpException.class);
        // the same queue, seen from 0-9-1: declaring it again as a stream is equivalent
        broker.amqpChannel().queueDeclare(s, true, false, false, Map.of("x-queue-type", "stream",
                "x-max-age", "604800s"));
        c.management().queueDelete(s);
    }

    @Test
    void firstReadsEverythingFromBothProtocolsAndConsumingRemovesNothing() throws Exception {
        Connection c = connect();
        String s = declareStream(c);
        publish091(s, bodies("m", 0, 5));
        publish(c, s, bodies("m", 5, 10));
        List<Got> expected = numbered("m", 0, 10);
        assertThat(fromFirst(c, s, 10)).containsExactlyElementsOf(expected);
        // a second consumer from first gets everything again, and the stream still holds all ten
        assertThat(fromFirst(c, s, 10)).containsExactlyElementsOf(expected);
        assertThat(c.management().queueInfo(s).messageCount()).isEqualTo(10);
    }

    @Test
    void aNumericOffsetStartsThere() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 10);
        assertThat(take(consume(c, s, b -> b.stream().offset(6).builder()), 4))
                .containsExactlyElementsOf(numbered("m", 6, 10));
    }

    @Test
    void lastStartsAtTheNewestMessageThenFollows() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 5);
        BlockingQueue<Got> got = consume(c, s, b -> b.stream().offset(StreamOffsetSpecification.LAST).builder());
        assertThat(take(got, 1)).containsExactly(new Got("m4", 4));
        publish(c, s, "m5");
        assertThat(take(got, 1)).containsExactly(new Got("m5", 5));
    }

    @Test
    void nextAndNoFilterSeeOnlyLaterMessages() throws Exception {
        Connection c = connect();
        String s = declareStream(c);
        publish(c, s, "old");
        BlockingQueue<Got> next = consume(c, s, b -> b.stream().offset(StreamOffsetSpecification.NEXT).builder());
        BlockingQueue<Got> byDefault = consume(c, s, b -> b);
        Thread.sleep(300); // both attached and waiting
        publish(c, s, "new");
        assertThat(take(next, 1)).containsExactly(new Got("new", 1));
        assertThat(take(byDefault, 1)).containsExactly(new Got("new", 1));
        assertThat(next.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aTimestampStartsAtTheFirstMessageStampedThenOrLater() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 3);
        // timestamps count in seconds (RabbitMQ, and 0-9-1's argument): more than one second after the
        // first batch, its messages are before the point even once it is cut to the second
        Thread.sleep(1100);
        Instant point = Instant.now();
        publish(c, s, bodies("m", 3, 6));
        assertThat(take(consume(c, s, b -> b.stream().offset(point).builder()), 3))
                .containsExactlyElementsOf(numbered("m", 3, 6));
    }

    @Test
    void anIntervalStartsThatLongAgo() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 3);
        assertThat(take(consume(c, s, b -> b.stream().offset("30m").builder()), 3))
                .containsExactlyElementsOf(numbered("m", 0, 3));
    }

    @Test
    void zeroNineOneAndOneZeroConsumersSeeTheSameOffsets() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 3);
        publish091(s, bodies("m", 3, 6));
        Channel ch = broker.amqpChannel();
        BlockingQueue<Got> over091 = new LinkedBlockingQueue<>();
        ch.basicQos(10);
        ch.basicConsume(s, false, Map.of("x-stream-offset", "first"), (tag, d) -> {
            ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
            over091.add(new Got(new String(d.getBody(), StandardCharsets.UTF_8),
                    (Long) d.getProperties().getHeaders().get("x-stream-offset")));
        }, tag -> { });
        List<Got> over10 = fromFirst(c, s, 6);
        assertThat(take(over091, 6)).containsExactlyElementsOf(over10).containsExactlyElementsOf(numbered("m", 0, 6));
    }

    /** Every outcome only settles: nothing is requeued or redelivered; the stream keeps every message. */
    @Test
    void everyOutcomeMovesCreditOnly() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 9);
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        c.consumerBuilder().queue(s).initialCredits(2).stream().offset(StreamOffsetSpecification.FIRST).builder()
                .messageHandler((ctx, m) -> {
                    long offset = (Long) m.annotation("x-stream-offset");
                    got.add(new Got(new String(m.body(), StandardCharsets.UTF_8), offset));
                    switch ((int) (offset % 3)) {
                        case 0 -> ctx.requeue();  // released
                        case 1 -> ctx.discard();  // rejected
                        default -> ctx.accept();
                    }
                }).build();
        assertThat(take(got, 9)).containsExactlyElementsOf(numbered("m", 0, 9));
        assertThat(got.poll(500, TimeUnit.MILLISECONDS)).as("nothing comes again").isNull();
        assertThat(fromFirst(c, s, 9)).containsExactlyElementsOf(numbered("m", 0, 9));
    }

    /** RabbitMQ 4 lets a credited AMQP 1.0 link read a stream pre-settled (at most once); so does Junction. */
    @Test
    void aPreSettledConsumerReadsTheStream() throws Exception {
        Connection c = connect();
        String s = streamWith(c, 20);
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        c.consumerBuilder().queue(s).preSettled().initialCredits(3).stream()
                .offset(StreamOffsetSpecification.FIRST).builder()
                .messageHandler((ctx, m) -> got.add(new Got(new String(m.body(), StandardCharsets.UTF_8),
                        (Long) m.annotation("x-stream-offset")))).build();
        assertThat(take(got, 20)).containsExactlyElementsOf(numbered("m", 0, 20));
    }

    /**
     * Qpid JMS with prefetch 0 drains for {@code receiveNoWait} [AMQP 1.0 part 2 section 2.6.7] and waits for the
     * answer (failing the consumer after its drain timeout): on a stream read to its end the drain is answered.
     */
    @Test
    void aJmsReceiveWithoutPrefetchIsAnsweredAtTheEndOfTheStream() throws Exception {
        String s = declareStream(connect());
        jakarta.jms.Session session = broker.jms("guest", "guest", "jms.prefetchPolicy.all=0")
                .createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
        jakarta.jms.MessageConsumer consumer = session.createConsumer(session.createQueue(s)); // from next
        long start = System.nanoTime();
        assertThat(consumer.receiveNoWait()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
        publish091(s, "m0");
        assertThat(consumer.receive(5000).getBody(byte[].class)).isEqualTo("m0".getBytes(StandardCharsets.UTF_8));
    }

    /** Stream filtering (RabbitMQ's Bloom filter) is not implemented: refused at attach, never ignored. */
    @Test
    void streamFilteringIsRefused() throws Exception {
        Connection c = connect();
        String s = declareStream(c);
        assertThatThrownBy(() -> c.consumerBuilder().queue(s).stream().filterValues("eu").builder()
                .messageHandler((ctx, m) -> ctx.accept()).build()).isInstanceOf(AmqpException.class);
        // the connection is still usable
        publish(c, s, "m0");
        assertThat(fromFirst(c, s, 1)).containsExactly(new Got("m0", 0));
    }

    /** An offset on a classic queue is ignored, as 0-9-1's x-stream-offset is there. */
    @Test
    void anOffsetOnAClassicQueueIsIgnored() throws Exception {
        Connection c = connect();
        String q = id("classic");
        c.management().queue(q).declare();
        publish(c, q, "a");
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        Consumer consumer = c.consumerBuilder().queue(q).stream().offset(StreamOffsetSpecification.FIRST).builder()
                .messageHandler((ctx, m) -> {
                    ctx.accept();
                    got.add(new Got(new String(m.body(), StandardCharsets.UTF_8), -1));
                }).build();
        assertThat(take(got, 1)).containsExactly(new Got("a", -1));
        consumer.close();
        assertThat(c.management().queueInfo(q).messageCount()).isZero();
    }
}
