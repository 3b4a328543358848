package dev.junction.broker;

import dev.junction.config.Admission;
import dev.junction.routing.api.HandshakeCompleted;
import dev.junction.routing.guard.LogLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission of connections on every listener, before any protocol work is done for them. Rules:
 * <ul>
 * <li>{@code limits.max_connections}: at most that many open connections over all listeners; past it a new
 * connection is closed as soon as it is accepted.</li>
 * <li>{@code limits.max_connections_per_source}: at most that many open connections from one IP address.</li>
 * <li>{@code limits.max_handshaking_connections}: connections not yet through their protocol handshake (the adapter
 * says so with {@link HandshakeCompleted}). When a new connection would exceed it, the <em>oldest</em> handshaking
 * connection is closed instead of the new one: sockets that never send a byte then cannot keep out a client that
 * completes its handshake in a round trip (as a SYN cache drops its oldest entries).</li>
 * <li>{@code limits.handshake_timeout_ms}: a connection still handshaking after that long is closed (RabbitMQ's
 * {@code handshake_timeout}, 10 s by default).</li>
 * </ul>
 * Each refusal is logged at most once per {@link #LOG_INTERVAL_SECONDS} s with a count of those suppressed, since
 * a flood of sockets would otherwise flood the log too. Shared by every listener's event loops: counts are atomic
 * per key and no lock is held. Each connection's part ({@link #newSlot}) leaves its pipeline once the handshake
 * completed, so an established connection carries no admission handler.
 */
final class ConnectionGate {
    private final int max;
    private final Admission admission;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger handshaking = new AtomicInteger();
    /** Handshaking connections, oldest first; an entry leaves when its handshake completes or it closes. */
    private final ConcurrentLinkedQueue<Slot> pending = new ConcurrentLinkedQueue<>();
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    static final int LOG_INTERVAL_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    private final LogLimiter log = new LogLimiter(LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);

    /**
     * One accepted connection's place in the counts, and the handler that admits it: first in its pipeline until
     * the handshake completed, then out of it (a connection held for days should not carry a handler that has
     * nothing left to do); what it counts is given back when the channel's close future completes.
     */
    private final class Slot extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
        private static final AtomicIntegerFieldUpdater<Slot> IN_HANDSHAKE =
                AtomicIntegerFieldUpdater.newUpdater(Slot.class, "inHandshake");

        private Channel channel;
        private InetAddress source;
        /** 1 while the slot counts in {@link #handshaking}; whoever turns it to 0 decrements. */
        private volatile int inHandshake;
        private boolean sourceCounted;

        boolean endHandshake() {
            return IN_HANDSHAKE.compareAndSet(this, 1, 0);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            admit(ctx, this);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == HandshakeCompleted.INSTANCE) {
                if (channel != null) {
                    ConnectionGate.this.leaveHandshake(this, true);
                }
                ctx.pipeline().remove(this); // admitted: nothing is left to do before the close
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** The channel closed: its place in the counts is given back. */
        @Override
        public void operationComplete(ChannelFuture closed) {
            open.decrementAndGet();
            ConnectionGate.this.leaveHandshake(this, true);
            if (sourceCounted) {
                perSource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    ConnectionGate(int max, Admission admission, MeterRegistry registry) {
        this.max = max;
        this.admission = admission;
        this.registry = registry;
        Gauge.builder("junction.connections", open, AtomicInteger::get).description("Open client connections")
                .register(registry);
        Gauge.builder("junction.connections.handshaking", handshaking, AtomicInteger::get)
                .description("Connections accepted and not yet through their protocol handshake").register(registry);
    }

    /** The handler that admits one accepted connection: put it first in the connection's pipeline. */
    ChannelHandler newSlot() {
        return new Slot();
    }

    private void admit(ChannelHandlerContext ctx, Slot slot) {
        Channel ch = ctx.channel();
        InetAddress source = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        slot.channel = ch;
        slot.source = source;
        int connections = open.incrementAndGet();
        try {
            if (connections > max && max > 0) {
                refuse(ctx, "max_connections", "limits.max_connections (" + max + ") reached");
                return;
            }
            int perSourceMax = admission.maxPerSource();
            if (source != null) {
                boolean[] admitted = {false};
                perSource.compute(source, (k, n) -> {
                    int now = n == null ? 0 : n;
                    if (perSourceMax > 0 && now >= perSourceMax) {
                        return n;
                    }
                    admitted[0] = true;
                    return now + 1;
                });
                slot.sourceCounted = admitted[0];
                if (!admitted[0]) {
                    refuse(ctx, "max_connections_per_source", "limits.max_connections_per_source (" + perSourceMax
                            + ") reached for " + source.getHostAddress());
                    return;
                }
            }
            slot.inHandshake = 1;
            pending.add(slot);
            int handshakes = handshaking.incrementAndGet();
            int maxHandshaking = admission.maxHandshaking();
            if (maxHandshaking > 0 && handshakes > maxHandshaking) {
                evictOldest(slot);
            }
        } finally {
            // Listened to once everything is counted, so that a close (a refusal's, or one before this) gives back
            // exactly what was counted: a listener added to a closed channel's future runs at once.
            ch.closeFuture().addListener(slot);
        }
        ctx.executor().schedule(() -> {
            if (slot.inHandshake == 1 && ch.isActive()) {
                count("handshake_timeout");
                log.log(LOG::warn, "handshake_timeout", "closing {}: no complete handshake within {} ms "
                        + "(limits.handshake_timeout_ms)", describe(ch), admission.handshakeTimeout().toMillis());
                ch.close();
            }
        }, admission.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    /** Closes the oldest connection still in its handshake (never {@code newest}, which just arrived). */
    private void evictOldest(Slot newest) {
        for (Slot s; (s = pending.poll()) != null; ) {
            if (s == newest) {
                pending.add(s); // alone in the queue: keep it
                return;
            }
            if (leaveHandshake(s, false)) {
                count("handshake_evicted");
                log.log(LOG::warn, "handshake_evicted", "closing {}: limits.max_handshaking_connections ({}) reached, "
                        + "it is the oldest connection still in its handshake", describe(s.channel),
                        admission.maxHandshaking());
                s.channel.close();
                return;
            }
        }
    }

    /** Ends the slot's handshake once; true for the caller that did it. */
    private boolean leaveHandshake(Slot s, boolean unqueue) {
        if (!s.endHandshake()) {
            return false;
        }
        handshaking.decrementAndGet();
        if (unqueue) {
            pending.remove(s); // bounded by the handshaking connections
        }
        return true;
    }

    private void refuse(ChannelHandlerContext ctx, String reason, String why) {
        count(reason);
        log.log(LOG::warn, reason, "refusing connection from {}: {}", describe(ctx.channel()), why);
        ctx.close();
    }

    private void count(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("junction.connections.closed.admission")
                .description("Connections closed by admission limits, by limit")
                .tag("reason", r).register(registry)).increment();
    }

    private static String describe(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(ch.remoteAddress());
    }

    int handshaking() {
        return handshaking.get();
    }
}
