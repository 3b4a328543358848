package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.config.Quotas;
import dev.junction.config.VhostLimits;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.Vhost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A durable subscription attached again on another topic while no consumer is attached ({@link NamedSubscription}),
 * driven by the stock Qpid JMS client over TCP. Changing a durable subscription's topic is equivalent to
 * unsubscribing (deleting) it and creating a new one [JMS 2.0 section 8.3.2; JMS 1.1 section 6.11.1]: a new one the
 * broker cannot create must not have cost the old one.
 */
class NamedSubscriptionMoveTest {
    /** Generous: a full build on a busy machine starves these threads for seconds. */
    private static final long WAIT_MS = 10_000;
    private static final long NOTHING_MS = 500;

    private static final RoutingEngine ENGINE = EmbeddedAmqp10.engine();
    private static EventLoopGroup group;
    private static Channel listener;
    private final List<Connection> connections = new ArrayList<>();

    @BeforeAll
    static void start() throws InterruptedException {
        Amqp10Server server = new Amqp10Server(EmbeddedAmqp10.settings(null, false), Engine.of(ENGINE),
                new SimpleMeterRegistry());
        group = new NioEventLoopGroup(2);
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("amqp10", new Amqp10Connection(server));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        listener.close().sync();
        group.shutdownGracefully().sync();
        ENGINE.close();
    }

    @AfterEach
    void closeClients() throws JMSException {
        ENGINE.setQuotas(Quotas.DEFAULTS);
        ENGINE.memoryAlarm().force(null);
        for (Connection c : connections) {
            c.close();
        }
    }

    private Connection jms(String clientId) throws JMSException {
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        Connection c = new JmsConnectionFactory(EmbeddedAmqp10.USER, EmbeddedAmqp10.PASSWORD,
                "amqp://127.0.0.1:" + port + "?jms.clientID=" + clientId).createConnection();
        connections.add(c);
        c.start();
        return c;
    }

    private static Session session(Connection c) throws JMSException {
        return c.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    private static void publish(Session s, Topic topic, String text) throws JMSException {
        MessageProducer p = s.createProducer(topic);
        p.send(s.createTextMessage(text));
        p.close();
    }

    private static String text(MessageConsumer c) throws JMSException {
        Message m = c.receive(WAIT_MS);
        assertThat(m).as("a message within %d ms", WAIT_MS).isNotNull();
        return ((TextMessage) m).getText();
    }

    private static Vhost vhost() {
        return Engine.of(ENGINE).vhost("/").orElseThrow();
    }

    /**
     * The subscription's queue once it holds {@code messages} and no consumer (the close of a consumer is taken
     * asynchronously, and so is a message on the queue's own thread).
     */
    private static void awaitIdle(String queue, int messages) throws InterruptedException {
        long until = System.nanoTime() + WAIT_MS * 1_000_000;
        QueueInfo q = vhost().queue(queue).orElseThrow();
        while ((q.consumerCount() > 0 || q.messageCount() != messages) && System.nanoTime() < until) {
            Thread.sleep(10);
            q = vhost().queue(queue).orElseThrow();
        }
        assertThat(q.consumerCount()).as("consumers of %s", queue).isZero();
        assertThat(q.messageCount()).as("messages on %s", queue).isEqualTo(messages);
    }

    /** The topics (routing keys) the queue is bound with, from any exchange but the default one. */
    private static List<String> topics(String queue) {
        return vhost().bindingsTo(queue).stream().filter(b -> !b.source().isEmpty()).map(Binding::routingKey)
                .toList();
    }

    /** The vhost's binding limit set to what it has now, so that the next new binding is refused. */
    private static void bindingLimitReached() {
        VhostLimits d = VhostLimits.DEFAULTS;
        ENGINE.setQuotas(new Quotas(d, Map.of("/", new VhostLimits(d.maxConnections(), d.maxQueues(),
                d.maxExchanges(), 1)), Quotas.DEFAULTS.userDefaults(), Map.of(), 1_000, 1_000, 1_000));
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The memory alarm refuses the move's new binding (as it refuses any new declaration): the attach is refused,
     * and the subscription is still the old one, bound to its topic with the message it kept.
     */
    @Test
    void aMoveRefusedUnderTheMemoryAlarmLeavesTheSubscriptionWithItsTopicAndMessages() throws Exception {
        refusedMoveLeavesTheSubscriptionAsItWas(() -> ENGINE.memoryAlarm().force(true),
                () -> ENGINE.memoryAlarm().force(null));
    }

    /**
     * The vhost's {@code max_bindings} reached: the move's new binding is made before the old one goes (so that a
     * refusal changes nothing), and so needs room for one more binding; refused, it leaves the subscription as it was.
     */
    @Test
    void aMoveAtTheBindingLimitIsRefusedAndLeavesTheSubscriptionWithItsTopicAndMessages() throws Exception {
        refusedMoveLeavesTheSubscriptionAsItWas(NamedSubscriptionMoveTest::bindingLimitReached,
                () -> ENGINE.setQuotas(Quotas.DEFAULTS));
    }

    private void refusedMoveLeavesTheSubscriptionAsItWas(Runnable refuseNewBindings, Runnable allowThem)
            throws Exception {
        String client = id("client");
        String queue = "amqp10-sub." + client + ".sub";
        Session s = session(jms(client));
        Topic a = s.createTopic(id("a"));
        Topic b = s.createTopic(id("b"));
        s.createDurableConsumer(a, "sub").close();
        publish(s, a, "kept");
        awaitIdle(queue, 1);

        refuseNewBindings.run();
        try {
            assertThatThrownBy(() -> s.createDurableConsumer(b, "sub")).as("the new topic's binding is refused")
                    .isInstanceOf(JMSException.class);
        } finally {
            allowThem.run();
        }
        assertThat(topics(queue)).as("still bound to the old topic only").containsExactly(a.getTopicName());
        awaitIdle(queue, 1); // the old topic's message kept

        MessageConsumer again = s.createDurableConsumer(a, "sub");
        assertThat(text(again)).isEqualTo("kept");
        publish(s, a, "after");
        assertThat(text(again)).as("the old binding still routes").isEqualTo("after");
        again.close();
        awaitIdle(queue, 0);
        s.unsubscribe("sub");
    }

    /**
     * A subscription bound by hand to one more key besides its topic is moved back to its topic alone when attached
     * again: the binding it wants, already there, is not the one taken away.
     */
    @Test
    void aSubscriptionWithAnExtraBindingKeepsOnlyItsTopicWhenAttachedAgain() throws Exception {
        String client = id("client");
        String queue = "amqp10-sub." + client + ".sub";
        Session s = session(jms(client));
        Topic a = s.createTopic(id("a"));
        s.createDurableConsumer(a, "sub").close();
        awaitIdle(queue, 0);
        String exchange = vhost().bindingsTo(queue).stream().filter(x -> !x.source().isEmpty()).findFirst()
                .orElseThrow().source();
        vhost().bind(Binding.toQueue(exchange, queue, "extra", Map.of()), "test");
        assertThat(topics(queue)).containsExactlyInAnyOrder(a.getTopicName(), "extra");

        MessageConsumer again = s.createDurableConsumer(a, "sub");
        assertThat(topics(queue)).containsExactly(a.getTopicName());
        publish(s, a, "still routed");
        assertThat(text(again)).isEqualTo("still routed");
        again.close();
        awaitIdle(queue, 0);
        s.unsubscribe("sub");
    }

    /** The move that succeeds: only the new topic's binding is left, and none of the old topic's messages. */
    @Test
    void aMoveToAnotherTopicReplacesTheBindingAndDropsTheOldTopicsMessages() throws Exception {
        String client = id("client");
        String queue = "amqp10-sub." + client + ".sub";
        Session s = session(jms(client));
        Topic a = s.createTopic(id("a"));
        Topic b = s.createTopic(id("b"));
        s.createDurableConsumer(a, "sub").close();
        publish(s, a, "stale");
        awaitIdle(queue, 1);

        MessageConsumer moved = s.createDurableConsumer(b, "sub");
        assertThat(topics(queue)).as("bound to the new topic only").containsExactly(b.getTopicName());
        assertThat(moved.receive(NOTHING_MS)).as("the old topic's messages went with it").isNull();
        publish(s, b, "fresh");
        assertThat(text(moved)).isEqualTo("fresh");
        assertThat(moved.receive(NOTHING_MS)).isNull();
        moved.close();
        awaitIdle(queue, 0);
        s.unsubscribe("sub");
    }
}
