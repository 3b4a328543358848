package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.AmqpFrameDecoder;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.protocol.testing.TrackingAllocator;
import dev.junction.routing.RoutingEngine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of content assembly (basic.publish, content header, body frames: {@code Publishing})
 * and the rest of the publish path of a real {@link AmqpConnection} behind the real {@link AmqpFrameDecoder},
 * with the broker's default limits, on an EmbeddedChannel. The harness logs in (user {@code fuzz}, vhost
 * {@code /}) and opens channel 1; the input is the client's byte stream after that, cut in pieces of the
 * size byte 0 gives (0 = one piece).
 *
 * <p>Only methods whose handling completes on the calling thread reach the connection (publish, confirm and tx
 * modes, channel and connection open/close, qos, flow); queue and consumer methods are dropped before it,
 * since their engine futures complete on queue threads and an EmbeddedChannel is single-threaded. With no
 * queues declared every publish is unroutable, so the routing engine answers synchronously.
 *
 * <p>Invariants, per input: the connection never fails with 541 INTERNAL_ERROR (an unexpected exception);
 * everything it writes is well-formed AMQP (a client-side decoder reads it without a frame error); it writes
 * at most a constant plus a few times the input's size; heap allocated for the input is bounded by a constant
 * plus a multiple of its size (a content header must not reserve the size it announces, issue: "one content
 * header can claim 16 MiB of heap"); every buffer allocated is released once the channel is closed.
 */
class AmqpContentAssemblyFuzzTest {
    private static final Set<MethodType> PASSED = EnumSet.of(MethodType.CONNECTION_START_OK,
            MethodType.CONNECTION_SECURE_OK, MethodType.CONNECTION_TUNE_OK, MethodType.CONNECTION_OPEN,
            MethodType.BASIC_PUBLISH, MethodType.BASIC_QOS,
            MethodType.CONFIRM_SELECT, MethodType.TX_SELECT, MethodType.TX_COMMIT, MethodType.TX_ROLLBACK,
            MethodType.CHANNEL_OPEN, MethodType.CHANNEL_CLOSE, MethodType.CHANNEL_CLOSE_OK, MethodType.CHANNEL_FLOW,
            MethodType.CONNECTION_CLOSE, MethodType.CONNECTION_CLOSE_OK);
    private static final JunctionConfig CONFIG = config();
    private static final RoutingEngine ENGINE = engine();
    private static final AmqpSettings SETTINGS = new AmqpSettings(CONFIG.limits().frameMax(),
            CONFIG.limits().channelMax(), 0, CONFIG.limits().maxMessageSize(), "fuzz", CONFIG.users(),
            CONFIG.limits().maxContentInFlightBytes());
    private static final byte[] LOGIN = login();
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 40_000);

    @AfterAll
    static void closeEngine() {
        ENGINE.close();
    }

    @FuzzTest(maxDuration = "10m")
    void publishesAssembleWithinBoundsAndNeverFailInternally(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HeapMeter.bounded("a connection fed " + input.length + " bytes",
                HeapMeter.budget(input.length, 1 << 20, 256), () -> run(input));
    }

    private static void run(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return PEER; // the connection logs its peer as a socket address, as a real socket has one
            }
        };
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast("frames", new AmqpFrameDecoder(SETTINGS.frameMax()));
        ch.pipeline().addLast("filter", new SynchronousMethodsOnly());
        ch.pipeline().addLast("amqp", new AmqpConnection(SETTINGS, dev.junction.routing.api.Engine.of(ENGINE)));
        try {
            ch.register(); // channelActive now reaches the connection
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ByteBuf written = Unpooled.buffer();
        write(ch, alloc.copyOf(LOGIN, 0, LOGIN.length), written);
        int loginReply = written.readableBytes();
        int piece = input[0] & 0x3F;
        for (int from = 1; from < input.length && ch.isOpen(); from += piece == 0 ? input.length : piece) {
            int to = piece == 0 ? input.length : Math.min(input.length, from + piece);
            write(ch, alloc.copyOf(input, from, to), written);
        }
        ch.close();
        drain(ch, written);
        ch.finishAndReleaseAll();

        checkServerOutput(written);
        assertThat(written.readableBytes() - loginReply).as("bytes written for %d input bytes", input.length)
                .isLessThanOrEqualTo(4096 + 4 * input.length);
        written.release();
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }

    private static void write(EmbeddedChannel ch, ByteBuf buf, ByteBuf written) {
        ch.writeInbound(buf); // AmqpConnection handles every error itself: anything thrown here is a bug
        ch.runPendingTasks();
        drain(ch, written);
    }

    private static void drain(EmbeddedChannel ch, ByteBuf written) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            written.writeBytes(b);
            b.release();
        }
    }

    /** Reads the server's output as a client would: it must be well-formed, and no close may be a 541. */
    private static void checkServerOutput(ByteBuf written) {
        EmbeddedChannel client = new EmbeddedChannel(new AmqpFrameDecoder(0));
        try {
            client.writeInbound(Unpooled.wrappedBuffer(AmqpEncoder.PROTOCOL_HEADER), written.retainedDuplicate());
        } catch (AmqpException e) {
            throw new AssertionError("the server wrote a malformed frame: " + e, e);
        }
        client.readInbound(); // ProtocolHeaderOk
        // The harness's own login must have worked, or the input never reached a channel.
        for (MethodType expected : List.of(MethodType.CONNECTION_START, MethodType.CONNECTION_TUNE,
                MethodType.CONNECTION_OPEN_OK, MethodType.CHANNEL_OPEN_OK)) {
            Object o = client.readInbound();
            assertThat(o).as("login reply").isInstanceOf(MethodFrame.class);
            assertThat(((MethodFrame) o).method().type()).as("login reply").isEqualTo(expected);
        }
        for (Object o; (o = client.readInbound()) != null; ) {
            if (o instanceof MethodFrame m && (m.method().type() == MethodType.CONNECTION_CLOSE
                    || m.method().type() == MethodType.CHANNEL_CLOSE)) {
                assertThat(m.method().integer("reply-code")).as("%s", m.method())
                        .isNotEqualTo(ReplyCode.INTERNAL_ERROR);
            }
            assertThat(o).isInstanceOf(AmqpFrame.class);
        }
        client.finishAndReleaseAll();
    }

    /** Drops the methods whose handling would wait on engine threads (see the class comment). */
    private static final class SynchronousMethodsOnly extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof MethodFrame m && !PASSED.contains(m.method().type())) {
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static JunctionConfig config() {
        try {
            return ConfigLoader.parse("""
                    users:
                      - name: fuzz
                        password: fuzz
                        permissions:
                          "/": { configure: ".*", write: ".*", read: ".*" }
                    """, "fuzz.yaml");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RoutingEngine engine() {
        RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
        engine.createVhost("/");
        return engine;
    }

    private static byte[] login() {
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(AmqpEncoder.PROTOCOL_HEADER);
        byte[] plain = "\0fuzz\0fuzz".getBytes(StandardCharsets.UTF_8);
        AmqpEncoder.writeMethod(out, 0, MethodType.CONNECTION_START_OK.with(Map.of(), "PLAIN", plain, "en_US"));
        AmqpEncoder.writeMethod(out, 0, MethodType.CONNECTION_TUNE_OK.with(2047, (long) SETTINGS.frameMax(), 0));
        AmqpEncoder.writeMethod(out, 0, MethodType.CONNECTION_OPEN.with("/", "", false));
        AmqpEncoder.writeMethod(out, 1, MethodType.CHANNEL_OPEN.with(""));
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }
}
