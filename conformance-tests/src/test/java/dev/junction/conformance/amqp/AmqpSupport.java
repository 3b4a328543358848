package dev.junction.conformance.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.RunningBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.function.Executable;

/** Shared helpers for the AMQP 0-9-1 conformance tests: stock-client connections and small assertions. */
final class AmqpSupport {
    static final long WAIT_MS = 15_000;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private AmqpSupport() {
    }

    /** A factory for the fixture's AMQP listener, without automatic recovery so errors stay visible. */
    static ConnectionFactory factory(RunningBroker broker, String user, String password, String vhost) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        f.setConnectionTimeout(5000);
        f.setHandshakeTimeout(5000);
        f.setChannelRpcTimeout(5000);
        f.setShutdownTimeout(1000);
        return f;
    }

    static ConnectionFactory factory(RunningBroker broker) {
        return factory(broker, "guest", "guest", "/");
    }

    static Connection connect(RunningBroker broker) throws Exception {
        return factory(broker).newConnection();
    }

    /** A name no other test uses, so tests sharing one broker do not see each other's entities. */
    static String unique(String prefix) {
        return prefix + "." + COUNTER.incrementAndGet() + "." + System.nanoTime() % 100000;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The ShutdownSignalException anywhere in the cause chain of what the client raised. */
    static ShutdownSignalException shutdownSignal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ShutdownSignalException sse) {
                return sse;
            }
        }
        return fail("expected a ShutdownSignalException in the cause chain of " + t, t);
    }

    /** Asserts a soft error: channel.close with {@code code}, the connection left open. */
    static AMQP.Channel.Close assertChannelClosed(Throwable t, int code) {
        ShutdownSignalException sse = shutdownSignal(t);
        Method reason = sse.getReason();
        assertThat(reason).as("close reason of %s", sse).isInstanceOf(AMQP.Channel.Close.class);
        AMQP.Channel.Close close = (AMQP.Channel.Close) reason;
        assertThat(close.getReplyCode()).as("reply code; text: %s", close.getReplyText()).isEqualTo(code);
        assertThat(sse.isHardError()).isFalse();
        return close;
    }

    /** Asserts a hard error: connection.close with {@code code}. */
    static AMQP.Connection.Close assertConnectionClosed(Throwable t, int code) {
        ShutdownSignalException sse = shutdownSignal(t);
        Method reason = sse.getReason();
        assertThat(reason).as("close reason of %s", sse).isInstanceOf(AMQP.Connection.Close.class);
        AMQP.Connection.Close close = (AMQP.Connection.Close) reason;
        assertThat(close.getReplyCode()).as("reply code; text: %s", close.getReplyText()).isEqualTo(code);
        assertThat(sse.isHardError()).isTrue();
        return close;
    }

    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The next element, failing after {@link #WAIT_MS}. */
    static <T> T next(BlockingQueue<T> q, String what) throws InterruptedException {
        T t = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        if (t == null) {
            fail("timed out waiting for " + what);
        }
        return t;
    }

    /** basic.get until a message arrives, failing after {@link #WAIT_MS}. */
    static GetResponse getWithin(Channel ch, String queue, boolean autoAck) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (true) {
            GetResponse r = ch.basicGet(queue, autoAck);
            if (r != null) {
                return r;
            }
            if (System.nanoTime() > deadline) {
                return fail("no message arrived in queue '" + queue + "'");
            }
            Thread.sleep(10);
        }
    }

    /** Every message currently ready in {@code queue}, taken with basic.get (auto-ack), as text. */
    static List<String> drain(Channel ch, String queue) throws IOException {
        List<String> bodies = new ArrayList<>();
        GetResponse r;
        while ((r = ch.basicGet(queue, true)) != null) {
            bodies.add(text(r.getBody()));
        }
        return bodies;
    }

    /** Publishes on a channel in confirm mode and waits for the broker's ack. */
    static void publishConfirmed(Channel ch, String exchange, String routingKey, AMQP.BasicProperties props,
                                 String body) throws Exception {
        ch.basicPublish(exchange, routingKey, props, bytes(body));
        ch.waitForConfirmsOrDie(WAIT_MS);
    }

    /** A channel in confirm mode, for setting up queue contents deterministically. */
    static Channel confirmChannel(Connection c) throws IOException {
        Channel ch = c.createChannel();
        ch.confirmSelect();
        return ch;
    }

    /** The first table of the x-death header, after checking the header holds a list of tables. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> firstDeath(AMQP.BasicProperties props) {
        assertThat(props.getHeaders()).as("headers of the dead-lettered message").containsKey("x-death");
        Object xDeath = props.getHeaders().get("x-death");
        assertThat(xDeath).isInstanceOf(List.class);
        List<Object> deaths = (List<Object>) xDeath;
        assertThat(deaths).isNotEmpty();
        assertThat(deaths.get(0)).isInstanceOf(Map.class);
        return (Map<String, Object>) deaths.get(0);
    }

    static String str(Object fieldValue) {
        return fieldValue == null ? null : fieldValue.toString();
    }

    /** A stock client can still connect, declare, publish and get: the broker survived whatever came before. */
    static void assertBrokerServes(RunningBroker broker) throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.basicPublish("", q, null, bytes("still-alive"));
            GetResponse r = getWithin(ch, q, true);
            assertThat(text(r.getBody())).isEqualTo("still-alive");
        }
    }

    /** Queue or exchange arguments from alternating names and values. */
    static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /**
     * Runs a synchronous call that follows an asynchronous one the broker refuses. Depending on timing the client
     * either fails the pending RPC (IOException) or has already seen channel.close (AlreadyClosedException).
     */
    static Throwable failureOfNextSyncCall(Executable call) {
        Throwable t = assertThrows(Throwable.class, call);
        assertThat(t).isInstanceOfAny(IOException.class, AlreadyClosedException.class);
        return t;
    }

    /** A fanout dead-letter exchange with one queue bound to it; returns the queue's name. */
    static String deadLetterTarget(Channel ch, String dlx) throws IOException {
        ch.exchangeDeclare(dlx, BuiltinExchangeType.FANOUT, false, true, null);
        String dead = ch.queueDeclare(dlx + ".q", false, false, true, null).getQueue();
        ch.queueBind(dead, dlx, "");
        return dead;
    }
}
