package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.AmqpFrameDecoder;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ProtocolHeaderOk;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.MessageProperties;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One {@link AmqpConnection} behind the real {@link AmqpFrameDecoder} on an {@link EmbeddedChannel}, over a real
 * {@link RoutingEngine} with an {@link InMemoryMessageStore}, and a client side that encodes with
 * {@link AmqpEncoder} and reads the server's bytes back through a second decoder.
 *
 * <p>Queue threads hand deliveries to the connection's executor from their own threads, and an embedded event loop
 * is not safe for that; so the connection handler runs on a {@link DefaultEventLoop}, and every use of the
 * embedded channel (writing inbound bytes, reading outbound ones) is run on that same thread.
 */
final class EmbeddedAmqp implements AutoCloseable {
    static final String USER = "alice";
    static final String PASSWORD = "alice-pw";
    static final int FRAME_MAX = 131_072;
    static final int CHANNEL_MAX = 2047;
    static final int HEARTBEAT = 0;
    /**
     * How long a wait for the engine's answer (a login, a task on the loop) may take before it is a failure: generous,
     * because a full build on two busy cores starves these threads for seconds (a 5 s limit failed there).
     */
    private static final long WAIT_MS = 30_000;

    final RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final EmbeddedChannel server;
    private final EmbeddedChannel reader = new EmbeddedChannel(new AmqpFrameDecoder(0));
    private final ArrayDeque<AmqpFrame> received = new ArrayDeque<>();

    EmbeddedAmqp() {
        engine.createVhost("/");
        UserConfig user = new UserConfig(USER, Optional.of(PASSWORD), Optional.empty(), List.of(), false,
                Map.of("/", VhostPermission.all()), List.of());
        AmqpSettings settings = new AmqpSettings(FRAME_MAX, CHANNEL_MAX, HEARTBEAT, 1 << 20, "embedded",
                List.of(user), 8L << 20);
        server = onLoop(() -> {
            EmbeddedChannel ch = new EmbeddedChannel() {
                @Override
                protected SocketAddress remoteAddress0() {
                    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000);
                }
            };
            ch.pipeline().addLast("frames", new AmqpFrameDecoder(AmqpFrameDecoder.FRAME_MIN_SIZE));
            ch.pipeline().addLast(loop, "amqp", new AmqpConnection(settings, dev.junction.routing.api.Engine.of(engine)));
            return ch;
        });
        // The reader decodes what the server sends; it starts past a protocol header, as the server's own does.
        reader.writeInbound(Unpooled.wrappedBuffer(AmqpEncoder.PROTOCOL_HEADER));
        assertThat((Object) reader.readInbound()).isInstanceOf(ProtocolHeaderOk.class);
    }

    /** Bytes from the client, as they would arrive on the socket. */
    void write(byte[] bytes) {
        onLoop(() -> server.writeInbound(Unpooled.wrappedBuffer(bytes)));
    }

    void send(int channel, Method m) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeMethod(out, channel, m);
        write(bytes(out));
    }

    /** basic.publish with its content header and body frames [AMQP 0-9-1 4.2.6]. */
    void publish(int channel, String exchange, String key, boolean mandatory, MessageProperties props, String body) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeMethod(out, channel, MethodType.BASIC_PUBLISH.with(0, exchange, key, mandatory, false));
        AmqpEncoder.writeContent(out, channel, MethodType.BASIC_PUBLISH.classId(), props,
                body.getBytes(StandardCharsets.UTF_8), FRAME_MAX);
        write(bytes(out));
    }

    /** The next frame the server sent; fails after a few seconds without one. */
    AmqpFrame next() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (received.isEmpty()) {
            pump();
            if (received.isEmpty()) {
                assertThat(System.nanoTime() - deadline).as("a frame from the server in time").isNegative();
                sleep();
            }
        }
        return received.poll();
    }

    /** Decodes whatever the server has written so far into {@link #received}. */
    private void pump() {
        List<ByteBuf> out = onLoop(() -> {
            List<ByteBuf> bufs = new ArrayList<>();
            for (Object o; (o = server.readOutbound()) != null; ) {
                bufs.add((ByteBuf) o);
            }
            return bufs;
        });
        for (ByteBuf b : out) {
            reader.writeInbound(b);
        }
        for (Object o; (o = reader.readInbound()) != null; ) {
            received.add((AmqpFrame) o);
        }
    }

    /** The next frame, which must be a method of {@code type} on {@code channel}. */
    Method expect(int channel, MethodType type) {
        AmqpFrame f = next();
        assertThat(f).isInstanceOf(MethodFrame.class);
        MethodFrame mf = (MethodFrame) f;
        assertThat(mf.method().type()).as("method received, %s", mf.method()).isEqualTo(type);
        assertThat(mf.channel()).isEqualTo(channel);
        return mf.method();
    }

    /** The content that follows a basic.deliver, get-ok or return: its header, then the whole body. */
    Content content(int channel) {
        ContentHeaderFrame h = (ContentHeaderFrame) next();
        assertThat(h.channel()).isEqualTo(channel);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < h.bodySize()) {
            body.writeBytes(((ContentBodyFrame) next()).payload());
        }
        return new Content(h.properties(), body.toString(StandardCharsets.UTF_8));
    }

    record Content(MessageProperties properties, String body) {
    }

    /** Whether the server sent no frame within {@code waitMs}: for "the server said nothing more". */
    boolean silent(long waitMs) {
        sleep(waitMs);
        pump();
        return received.isEmpty();
    }

    /** What the server wrote, as raw bytes, for answers that are not frames (a protocol header). */
    byte[] raw() {
        return onLoop(() -> {
            ByteBuf all = Unpooled.buffer();
            for (Object o; (o = server.readOutbound()) != null; ) {
                all.writeBytes((ByteBuf) o);
                ((ByteBuf) o).release();
            }
            return bytes(all);
        });
    }

    /**
     * Moves the embedded channel's clock on by {@code ms} and runs what fell due: timers the pipeline's own handlers
     * schedule on the channel's loop (the heartbeat watchdog), not the connection handler's.
     */
    void advanceTime(long ms) {
        onLoop(() -> {
            server.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
            return server.runScheduledPendingTasks();
        });
    }

    /** The client's socket goes without a close handshake (a crash, a cut network): the server's channel closes. */
    void dropSocket() {
        onLoop(() -> server.close());
    }

    boolean socketOpen() {
        return onLoop(() -> server.isOpen());
    }

    /** The protocol header and start-ok, tune-ok and open with the test user, up to open-ok. */
    void handshake() {
        handshake(HEARTBEAT);
    }

    /** As {@link #handshake()}, with {@code heartbeatSeconds} in tune-ok. */
    void handshake(int heartbeatSeconds) {
        write(AmqpEncoder.PROTOCOL_HEADER);
        expect(0, MethodType.CONNECTION_START);
        send(0, MethodType.CONNECTION_START_OK.with(Map.of(), "PLAIN", plain(USER, PASSWORD), "en_US"));
        expect(0, MethodType.CONNECTION_TUNE);
        send(0, MethodType.CONNECTION_TUNE_OK.with(CHANNEL_MAX, FRAME_MAX, heartbeatSeconds));
        send(0, MethodType.CONNECTION_OPEN.with("/", "", false));
        expect(0, MethodType.CONNECTION_OPEN_OK);
    }

    /** channel.open on {@code channel}, up to open-ok. */
    void openChannel(int channel) {
        send(channel, MethodType.CHANNEL_OPEN.with(""));
        expect(channel, MethodType.CHANNEL_OPEN_OK);
    }

    /** A SASL PLAIN response [RFC 4616]. */
    static byte[] plain(String user, String password) {
        return ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    private <T> T onLoop(Callable<T> task) {
        try {
            return loop.submit(task).get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("on the connection's event loop", e);
        }
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        buf.release();
        return b;
    }

    private static void sleep() {
        sleep(5);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        onLoop(() -> {
            server.finishAndReleaseAll();
            return null;
        });
        reader.finishAndReleaseAll();
        engine.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
