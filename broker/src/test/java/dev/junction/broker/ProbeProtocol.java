package dev.junction.broker;

import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolHeader;
import dev.junction.protocol.ProtocolModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only protocol module that claims the AMQP 1.0 protocol header (part 2 section 2.2) on the listeners it is
 * given. Its connection answers the header's bytes with {@link #GREETING} once it has seen {@code channelActive},
 * as a module's handlers do on a listener of their own, and {@link #NO_ACTIVE} otherwise.
 */
final class ProbeProtocol implements ProtocolModule {
    static final byte[] AMQP_1_0 = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    static final byte[] GREETING = "probe: AMQP 1.0 header".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NO_ACTIVE = "probe: no channelActive".getBytes(StandardCharsets.US_ASCII);

    private final List<String> listeners;
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    volatile ProtocolContext context;

    ProbeProtocol(String... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public List<String> listeners() {
        return listeners;
    }

    @Override
    public ProtocolHeader header(String listener) {
        return ProtocolHeader.of(AMQP_1_0);
    }

    @Override
    public void start(ProtocolContext context) {
        this.context = context;
        starts.incrementAndGet();
    }

    @Override
    public void initChannel(String listener, Channel channel) {
        connections.incrementAndGet();
        channel.pipeline().addLast("probe", new Answer());
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    /** Reads the eight header bytes, answers once, then ignores the rest. */
    static final class Answer extends ChannelInboundHandlerAdapter {
        private boolean active;
        private int headerBytes;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                int before = headerBytes;
                headerBytes += buf.readableBytes();
                if (before < AMQP_1_0.length && headerBytes >= AMQP_1_0.length) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(active ? GREETING : NO_ACTIVE));
                }
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
