package dev.junction.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/** A protocol listener: binds a server socket and gives every accepted connection the protocol's pipeline. */
final class TcpListener {
    private final String name;
    private final ChannelHandler initializer;
    private final ConnectionGate gate;
    private final ServerTls tls;
    private Channel server;

    TcpListener(String name, ChannelHandler initializer, ConnectionGate gate) {
        this(name, initializer, gate, null);
    }

    /** @param tls the listener's TLS, or null for plain TCP */
    TcpListener(String name, ChannelHandler initializer, ConnectionGate gate, ServerTls tls) {
        this.name = name;
        this.initializer = initializer;
        this.gate = gate;
        this.tls = tls;
    }

    InetSocketAddress start(EventLoopGroup boss, EventLoopGroup workers, String bind, int port)
            throws InterruptedException {
        server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Consumers stop receiving while a socket's outbound buffer is above the high mark.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("gate", gate);
                        if (tls != null) {
                            tls.install(ch);
                        }
                        ch.pipeline().addLast(initializer);
                    }
                })
                .bind(bind, port).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    /** Stops accepting; established connections are closed when the event loops shut down. */
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    @Override
    public String toString() {
        return name + " listener";
    }
}
