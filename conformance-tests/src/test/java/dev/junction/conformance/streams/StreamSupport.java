package dev.junction.conformance.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.RunningBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What the stream tests share: a stock-client connection, a stream declaration and a consumer that acks. */
final class StreamSupport {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private StreamSupport() {
    }

    static Connection connect(RunningBroker broker) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(5000);
        f.setChannelRpcTimeout(5000);
        f.setShutdownTimeout(1000);
        return f.newConnection();
    }

    static String unique(String prefix) {
        return prefix + "." + System.nanoTime() + "." + COUNTER.incrementAndGet();
    }

    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Declares a stream with {@code extra} arguments; returns its name. */
    static String declareStream(Channel ch, String prefix, Object... extra) throws Exception {
        Map<String, Object> a = args(extra);
        a.put("x-queue-type", "stream");
        return ch.queueDeclare(unique(prefix), true, false, false, a).getQueue();
    }

    /** Publishes each body with confirms (a stream confirms after its fsync). */
    static void publish(Channel ch, String stream, String... bodies) throws Exception {
        ch.confirmSelect();
        for (String b : bodies) {
            ch.basicPublish("", stream, null, b.getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
    }

    /** One delivery: body and its {@code x-stream-offset} header. */
    record Got(String body, long offset) {
    }

    /**
     * Consumes with prefetch 10 and manual acks, starting at {@code offset} (null: the default), into the returned
     * queue; every delivery is acknowledged.
     */
    static BlockingQueue<Got> consume(Channel ch, String stream, Object offset) throws Exception {
        BlockingQueue<Got> got = new LinkedBlockingQueue<>();
        ch.basicQos(10);
        Map<String, Object> a = offset == null ? Map.of() : Map.of("x-stream-offset", offset);
        ch.basicConsume(stream, false, a, (tag, d) -> {
            Object header = d.getProperties().getHeaders().get("x-stream-offset");
            assertThat(header).as("x-stream-offset is a long").isInstanceOf(Long.class);
            // Acked before it is handed to the test, so a test that closes the channel right after taking its
            // last delivery never races this ack.
            ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
            got.add(new Got(new String(d.getBody(), StandardCharsets.UTF_8), (Long) header));
        }, tag -> { });
        return got;
    }

    static List<Got> take(BlockingQueue<Got> q, int n) throws InterruptedException {
        List<Got> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Got g = q.poll(10, TimeUnit.SECONDS);
            assertThat(g).as("delivery %d of %d", i + 1, n).isNotNull();
            out.add(g);
        }
        return out;
    }

    static List<String> bodies(List<Got> got) {
        return got.stream().map(Got::body).toList();
    }

    /** The close a refused operation caused (channel or connection). */
    static AMQP.Channel.Close channelClose(Throwable t) {
        ShutdownSignalException s = signal(t);
        assertThat(s.isHardError()).as("channel error").isFalse();
        return (AMQP.Channel.Close) s.getReason();
    }

    static AMQP.Connection.Close connectionClose(Throwable t) {
        ShutdownSignalException s = signal(t);
        assertThat(s.isHardError()).as("connection error").isTrue();
        return (AMQP.Connection.Close) s.getReason();
    }

    private static ShutdownSignalException signal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ShutdownSignalException s) {
                return s;
            }
        }
        throw new AssertionError("no shutdown signal in " + t, t);
    }
}
