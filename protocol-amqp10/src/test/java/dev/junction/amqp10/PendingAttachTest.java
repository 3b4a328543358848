package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.DefinitionLog;
import dev.junction.routing.ReplicatedDefinitions;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.Definition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.DefaultEventLoop;
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
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.amqp.transport.Transfer;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attach whose declarations wait for a cluster's metadata log ({@link PendingAttach}), driven by the stock Qpid
 * JMS client over TCP against an engine whose log is held by hand: the attach [AMQP 1.0 part 2 section 2.6.3] is
 * answered only once what it declared was committed, each step of a durable subscription (queue, then binding)
 * only after the one before, an unsubscribe once the deletion was committed, and a node that cannot commit refuses
 * the attach with {@code amqp:internal-error} and creates nothing (docs/cluster.md, "AMQP 1.0 attaches").
 */
class PendingAttachTest {
    /** Generous: a full build on a busy machine starves these threads for seconds. */
    private static final long WAIT_MS = 30_000;

    private final RoutingEngine engine = EmbeddedAmqp10.engine();
    private final HeldLog log = new HeldLog();
    private final List<Connection> connections = new ArrayList<>();
    private EventLoopGroup group;
    private Channel listener;

    @BeforeEach
    void start() throws InterruptedException {
        engine.commitDefinitionsThrough(log);
        Amqp10Server server = new Amqp10Server(EmbeddedAmqp10.settings(null, false), Engine.of(engine),
                new SimpleMeterRegistry());
        group = new NioEventLoopGroup(1);
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("amqp10", new Amqp10Connection(server));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        log.refusal = Optional.empty();
        log.commitAll(engine); // nothing left waiting on the log when the clients close
        for (Connection c : connections) {
            c.close();
        }
        listener.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        engine.close();
    }

    @Test
    void aConsumerOnAQueueItDeclaresIsAttachedOnlyOnceTheQueueIsCommitted() throws Exception {
        Session s = session(jms("c1"));
        CompletableFuture<MessageConsumer> attach = async(() -> s.createConsumer(s.createQueue("/queue/pending.q")));
        log.awaitEntries(1);
        assertThat(attach).as("answered before the commit").isNotDone();
        assertThat(vhost().queue("pending.q")).as("declared before the commit").isEmpty();

        log.commitAll(engine);
        MessageConsumer consumer = attach.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertThat(vhost().queue("pending.q")).isPresent();
        s.createProducer(s.createQueue("/queues/pending.q")).send(s.createTextMessage("after the commit"));
        Message m = consumer.receive(WAIT_MS);
        assertThat(m).isNotNull();
        assertThat(((TextMessage) m).getText()).isEqualTo("after the commit");
    }

    @Test
    void aDurableSubscriptionIsBoundOnlyOnceItsQueueIsCommittedAndAnsweredAfterTheBinding() throws Exception {
        Session s = session(jms("c2"));
        Topic topic = s.createTopic("pending.topic");
        CompletableFuture<MessageConsumer> attach = async(() -> s.createDurableConsumer(topic, "sub"));
        log.awaitEntries(1);
        log.commitAll(engine); // the queue
        log.awaitEntries(1); // then, only then, its binding
        assertThat(attach).as("answered before its binding was committed").isNotDone();
        assertThat(vhost().bindingsTo("amqp10-sub.c2.sub").stream().filter(b -> !b.source().isEmpty())).isEmpty();

        log.commitAll(engine);
        MessageConsumer consumer = attach.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertThat(vhost().bindingsTo("amqp10-sub.c2.sub")).anyMatch(b -> b.source().equals("amq.topic"));
        consumer.close();

        CompletableFuture<Void> unsubscribe = async(() -> {
            s.unsubscribe("sub");
            return null;
        });
        log.awaitEntries(1);
        assertThat(unsubscribe).as("answered before the deletion was committed").isNotDone();
        log.commitAll(engine);
        unsubscribe.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertThat(vhost().queue("amqp10-sub.c2.sub")).isEmpty();
    }

    @Test
    void aNodeThatCannotCommitRefusesTheAttachAndCreatesNothing() throws Exception {
        log.refusal = Optional.of("no leader for the metadata group");
        Session s = session(jms("c3"));
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("/queue/refused.q")))
                .isInstanceOf(JMSException.class).hasMessageContaining("no leader for the metadata group");
        assertThatThrownBy(() -> s.createDurableConsumer(s.createTopic("refused.topic"), "sub"))
                .isInstanceOf(JMSException.class).hasMessageContaining("no leader for the metadata group");
        assertThat(vhost().queue("refused.q")).isEmpty();
        assertThat(vhost().queue("amqp10-sub.c3.sub")).isEmpty();
        assertThat(log.entries()).isZero();

        // only the link was refused: the session goes on, with what is not replicated (a temporary queue)
        assertThat(s.createTemporaryQueue().getQueueName()).contains("amq.gen-");
    }

    /**
     * A transfer the client sends on a link whose attach is still waiting (no credit was granted: a client that
     * pipelines its first message, or one that breaks the flow rules [part 2 section 2.6.7]) is kept by proton and
     * routed once the target exists and the link is open, not dropped nor routed to a queue that is not there yet.
     */
    @Test
    void aTransferSentBeforeThePendingAttachWasAnsweredIsRoutedOnceTheLinkOpens() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        EmbeddedAmqp10 conn = new EmbeddedAmqp10(engine, loop);
        try {
            assertThat(conn.logIn()).isTrue();
            org.apache.qpid.proton.engine.Session session = conn.clientConnection.session();
            session.open();
            Sender sender = session.sender("early");
            Target target = new Target();
            target.setAddress("/queue/early.q");
            sender.setTarget(target);
            sender.setSource(new Source());
            sender.setSenderSettleMode(SenderSettleMode.SETTLED);
            sender.open();
            conn.exchange();
            log.awaitEntries(1);
            conn.exchange();
            assertThat(sender.getRemoteState()).as("attach answered before the commit")
                    .isEqualTo(EndpointState.UNINITIALIZED);

            assertThat(conn.write(transfer("sent early"))).as("the connection takes the early transfer").isTrue();
            conn.exchange();
            assertThat(vhost().queue("early.q")).as("declared before the commit").isEmpty();

            log.commitAll(engine);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (vhost().queue("early.q").map(q -> q.messageCount()).orElse(0) == 0
                    && System.nanoTime() < until) {
                conn.exchange();
                Thread.sleep(5);
            }
            assertThat(vhost().queue("early.q").orElseThrow().messageCount()).as("the early message, routed")
                    .isEqualTo(1);
            while (sender.getRemoteState() == EndpointState.UNINITIALIZED && System.nanoTime() < until) {
                conn.exchange(); // the attach goes out with the loop's next flush
                Thread.sleep(5);
            }
            assertThat(sender.getRemoteState()).as("the attach answered, client transport %s",
                    conn.client.getCondition()).isEqualTo(EndpointState.ACTIVE);
            assertThat(((Target) sender.getRemoteTarget()).getAddress()).isEqualTo("/queue/early.q");
        } finally {
            conn.close();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * A pre-settled transfer of one message on channel 0, handle 0 (the client's first session and link), written
     * by hand: proton-j's sender sends nothing without credit.
     */
    private static byte[] transfer(String text) {
        org.apache.qpid.proton.message.Message m = org.apache.qpid.proton.message.Message.Factory.create();
        m.setBody(new AmqpValue(text));
        byte[] payload = new byte[1024];
        int payloadLength = m.encode(payload, 0, payload.length);
        Transfer t = new Transfer();
        t.setHandle(UnsignedInteger.ZERO);
        t.setDeliveryId(UnsignedInteger.ZERO);
        t.setDeliveryTag(new Binary(new byte[] {1}));
        t.setMessageFormat(UnsignedInteger.ZERO);
        t.setSettled(true);
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        ByteBuffer frame = ByteBuffer.allocate(4096);
        frame.position(8); // size, data offset 2 (in 4-byte words), type 0 (AMQP), channel 0 [part 2 section 2.3]
        encoder.setByteBuffer(frame);
        encoder.writeObject(t);
        frame.put(payload, 0, payloadLength);
        int size = frame.position();
        frame.putInt(0, size).put(4, (byte) 2).put(5, (byte) 0).putShort(6, (short) 0);
        byte[] out = new byte[size];
        frame.flip();
        frame.get(out);
        return out;
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

    private static <T> CompletableFuture<T> async(Callable<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    private Vhost vhost() {
        return Engine.of(engine).vhost("/").orElseThrow();
    }

    /** A metadata log the test commits by hand, applying each entry as a cluster node's state machine would. */
    private static final class HeldLog implements DefinitionLog {
        private final List<Entry> pending = new ArrayList<>();
        volatile Optional<String> refusal = Optional.empty();

        private record Entry(Definition definition, boolean delete, CompletableFuture<Object> answer) {
        }

        @Override
        public synchronized CompletableFuture<Object> commit(Definition definition, boolean delete) {
            CompletableFuture<Object> answer = new CompletableFuture<>();
            pending.add(new Entry(definition, delete, answer));
            notifyAll();
            return answer;
        }

        @Override
        public CompletableFuture<Void> readBarrier() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Optional<String> refusal() {
            return refusal;
        }

        synchronized int entries() {
            return pending.size();
        }

        /** Waits until {@code n} entries are waiting for their commit. */
        synchronized void awaitEntries(int n) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (pending.size() < n) {
                long left = until - System.nanoTime();
                assertThat(left).as("%d entries submitted to the log", n).isPositive();
                wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }

        /** Commits and applies every entry submitted so far, in order. */
        void commitAll(RoutingEngine engine) {
            List<Entry> entries;
            synchronized (this) {
                entries = new ArrayList<>(pending);
                pending.clear();
            }
            for (Entry e : entries) {
                try {
                    e.answer.complete(ReplicatedDefinitions.apply(engine, e.definition, e.delete));
                } catch (RuntimeException refused) {
                    e.answer.completeExceptionally(refused);
                }
            }
        }
    }
}
