package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.protocol.testing.TrackingAllocator;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;

/**
 * One {@link Amqp10Connection} on an {@link EmbeddedChannel} over a real engine, and a proton-j client that can
 * log in through it. Queue threads hand deliveries to the connection's executor, which an embedded event loop
 * does not allow from other threads, so the handler runs on a {@link DefaultEventLoop} and every use of the
 * channel runs on that thread.
 */
final class EmbeddedAmqp10 implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "alice-pw";
    /**
     * How long a wait for the engine's answer (a login, a task on the loop) may take before it is a failure: generous,
     * because a full build on two busy cores starves these threads for seconds (a 5 s limit failed there).
     */
    private static final long WAIT_MS = 30_000;

    private final DefaultEventLoop loop;
    final TrackingAllocator alloc = new TrackingAllocator();
    private final EmbeddedChannel server;
    final Transport client = Transport.Factory.create();
    final Connection clientConnection = Connection.Factory.create();

    /** A server over {@code engine}, whose vhost "/" must exist, with {@link #settings}, for a loopback client. */
    EmbeddedAmqp10(RoutingEngine engine, DefaultEventLoop loop) {
        this(engine, loop, settings(null, false), InetAddress.getLoopbackAddress());
    }

    /** Small limits, user {@link #USER} ({@code loopbackOnly} as given) and the anonymous user, if any. */
    static Amqp10Settings settings(String anonymousUser, boolean loopbackOnly) {
        UserConfig user = new UserConfig(USER, Optional.of(PASSWORD), Optional.empty(), List.of(), loopbackOnly,
                Map.of("/", VhostPermission.all()), List.of());
        return new Amqp10Settings(4096, 15, 64, 0, 1 << 16, 16, "/", anonymousUser, List.of(user));
    }

    /** A server with {@code settings} for a client at {@code peer}. */
    EmbeddedAmqp10(RoutingEngine engine, DefaultEventLoop loop, Amqp10Settings settings, InetAddress peer) {
        this.loop = loop;
        Amqp10Server shared = new Amqp10Server(settings, Engine.of(engine), new SimpleMeterRegistry());
        server = onLoop(() -> {
            EmbeddedChannel ch = new EmbeddedChannel() {
                @Override
                protected SocketAddress remoteAddress0() {
                    return new InetSocketAddress(peer, 40_000);
                }
            };
            ch.config().setAllocator(alloc);
            ch.pipeline().addLast(loop, "amqp10", new Amqp10Connection(shared));
            return ch;
        });
        client.bind(clientConnection);
    }

    /** An engine with vhost "/" and no login throttling. */
    static RoutingEngine engine() {
        RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
        engine.createVhost("/");
        // refused logins of one test or fuzz input must not delay the logins of the next
        engine.loginThrottle().setMaxDelayMs(0);
        return engine;
    }

    /** The connection's TLS client certificate names {@code user}, as the broker's TLS handler records it. */
    void certificateIdentity(String user) {
        onLoop(() -> {
            server.attr(io.netty.util.AttributeKey.<String>valueOf(
                    dev.junction.routing.api.CertificateIdentity.CHANNEL_ATTRIBUTE)).set(user);
            return null;
        });
    }

    /** SASL with {@code mechanism} and an empty response, then open; true once the server's open arrived. */
    boolean logInWith(String mechanism) {
        client.sasl().client();
        client.sasl().setMechanisms(mechanism);
        return logIn(null, null, false);
    }

    /** SASL PLAIN and open through the client; true once the server's open arrived. */
    boolean logIn() {
        return logIn(USER, PASSWORD);
    }

    /** SASL PLAIN as {@code user} (ANONYMOUS when null) and open; true once the server's open arrived. */
    boolean logIn(String user, String password) {
        return logIn(user, password, true);
    }

    private boolean logIn(String user, String password, boolean setUpSasl) {
        Sasl sasl = client.sasl();
        if (setUpSasl) {
            sasl.client();
            if (user == null) {
                sasl.setMechanisms("ANONYMOUS");
            } else {
                sasl.plain(user, password);
            }
        }
        clientConnection.setHostname("localhost");
        clientConnection.open();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (clientConnection.getRemoteState() == EndpointState.UNINITIALIZED && open()
                && System.nanoTime() < deadline) {
            exchange();
            Thread.onSpinWait();
        }
        exchange();
        return clientConnection.getRemoteState() == EndpointState.ACTIVE;
    }

    /** What the client has to send goes to the server, and what the server wrote goes to the client. */
    void exchange() {
        int pending = client.pending();
        if (pending > 0) {
            byte[] out = new byte[pending];
            client.head().get(out);
            client.pop(pending);
            write(out);
        }
        for (byte[] in : output()) {
            ByteBuffer tail = client.tail();
            tail.put(in, 0, Math.min(in.length, tail.remaining()));
            client.process();
        }
    }

    /** Bytes from the client, as they would arrive on the socket; false once the server closed it. */
    boolean write(byte[] bytes) {
        return onLoop(() -> {
            if (!server.isOpen()) {
                return false;
            }
            server.writeInbound(alloc.copyOf(bytes, 0, bytes.length));
            server.runPendingTasks();
            return server.isOpen();
        });
    }

    /** What the server wrote since the last call, released. */
    List<byte[]> output() {
        return onLoop(() -> {
            server.runPendingTasks();
            java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
            for (Object o; (o = server.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                out.add(bytes);
            }
            return out;
        });
    }

    boolean open() {
        return onLoop(server::isOpen);
    }

    /** Closes the channel; every buffer the pipeline allocated must be released by then. */
    @Override
    public void close() {
        onLoop(() -> {
            server.close();
            server.runPendingTasks();
            for (Object o; (o = server.readOutbound()) != null; ) {
                ((ByteBuf) o).release();
            }
            server.finishAndReleaseAll();
            return null;
        });
    }

    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
