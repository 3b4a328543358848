package dev.junction.broker;

import dev.junction.protocol.ProtocolModule;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A protocol listener: binds a server socket and gives every accepted connection the gate, the listener's TLS, and
 * the pipeline of the protocol module serving it, or a {@link ProtocolSniffer} when several modules share it.
 */
final class TcpListener {
    private final String name;
    private final List<ProtocolModule> modules;
    private final ConnectionGate gate;
    private final ServerTls tls;
    private Channel server;

    /**
     * @param modules the modules serving the listener, at least one; with more, the first answers the connections
     *     whose first bytes no module claims
     * @param tls the listener's TLS, or null for plain TCP
     */
    TcpListener(String name, List<ProtocolModule> modules, ConnectionGate gate, ServerTls tls) {
        if (modules.isEmpty()) {
            throw new IllegalArgumentException("listener " + name + " has no protocol module");
        }
        this.name = name;
        this.modules = List.copyOf(modules);
        this.gate = gate;
        this.tls = tls;
    }

    InetSocketAddress start(ServerBootstrap bootstrap, String bind, int port)
            throws InterruptedException {
        server = bootstrap
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Consumers stop receiving while a socket's outbound buffer is above the high mark.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("gate", gate.newSlot());
                        if (tls != null) {
                            tls.install(ch);
                        }
                        if (modules.size() == 1) {
                            modules.get(0).initChannel(name, ch);
                        } else {
                            ch.pipeline().addLast("protocol-sniffer", new ProtocolSniffer(name, modules));
                        }
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
