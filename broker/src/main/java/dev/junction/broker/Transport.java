package dev.junction.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The socket transport every listener uses: Netty's native epoll on Linux, where its library loads, else Java NIO.
 * Epoll costs the event loops less per message than NIO's selector: no selected-key set to walk, edge-triggered
 * readiness, and writes of several buffers straight from their memory addresses; with a client acknowledging each
 * message, most of a broker's CPU goes to those loops. The choice is made once, at start, and logged; the system
 * property {@code junction.transport=nio} forces NIO (to rule the native library out when chasing a problem).
 */
enum Transport {
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class),
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class);

    /** The system property that forces a transport by name. */
    static final String PROPERTY = "junction.transport";

    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends ServerChannel> serverChannel;

    Transport(Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel) {
        this.handlers = handlers;
        this.serverChannel = serverChannel;
    }

    /** Epoll where it is available and not ruled out by {@link #PROPERTY}, else NIO. */
    static Transport choose() {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (forced.equals("nio")) {
            return NIO;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why epoll is not used, for the start-up log line; null when it is. */
    String whyNotEpoll() {
        if (this == EPOLL) {
            return null;
        }
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? PROPERTY + "=nio" : cause.toString();
    }

    /** An event loop group of {@code threads} loops of this transport (0: Netty's default, two per core). */
    EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, handlers.get());
    }

    /** A server bootstrap on {@code boss} and {@code workers} (groups of this transport) with its server socket. */
    ServerBootstrap bootstrap(EventLoopGroup boss, EventLoopGroup workers) {
        return new ServerBootstrap().group(boss, workers).channel(serverChannel);
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
