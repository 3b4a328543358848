package dev.junction.broker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code limits.max_connections} across every protocol listener: a connection past the limit is closed
 * as soon as it is accepted, with a log line, before any protocol work is done for it.
 */
@ChannelHandler.Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionGate(int max, MeterRegistry registry) {
        this.max = max;
        Gauge.builder("junction.connections", open, AtomicInteger::get).description("Open client connections")
                .register(registry);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int now = open.incrementAndGet();
        if (max > 0 && now > max) {
            LOG.warn("refusing connection from {}: limits.max_connections ({}) reached", ctx.channel().remoteAddress(),
                    max);
            ctx.close();
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }
}
