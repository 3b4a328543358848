package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.config.JunctionConfig;
import dev.junction.config.Limits;
import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolHeader;
import dev.junction.protocol.ProtocolModule;
import io.netty.channel.Channel;
import java.util.List;

/**
 * AMQP 0-9-1 as a {@link ProtocolModule}: listeners {@code amqp} and {@code amqps}, one
 * {@link AmqpChannelInitializer} for both, so that direct reply-to works between clients on either listener. Its
 * connections open with {@code AMQP 0 0 9 1} (section 4.2.2); on a shared port, a connection no module claims is
 * best given to this one, which answers it with that header and closes, as the same section asks.
 */
public final class AmqpProtocol implements ProtocolModule {
    /** The protocol header of AMQP 0-9-1 (section 4.2.2). */
    static final ProtocolHeader HEADER = ProtocolHeader.of(AmqpEncoder.PROTOCOL_HEADER);

    private AmqpChannelInitializer initializer;

    @Override
    public String name() {
        return "amqp";
    }

    @Override
    public List<String> listeners() {
        return List.of("amqp", "amqps");
    }

    @Override
    public ProtocolHeader header(String listener) {
        return HEADER;
    }

    @Override
    public void start(ProtocolContext context) {
        JunctionConfig config = context.config();
        Limits limits = config.limits();
        AmqpSettings settings = new AmqpSettings(limits.frameMax(), limits.channelMax(), limits.heartbeatSeconds(),
                limits.maxMessageSize(), "junction@" + hostName(), config.users(), limits.maxContentInFlightBytes(),
                limits.consumerTimeoutMs());
        initializer = new AmqpChannelInitializer(settings, context.engine());
    }

    @Override
    public void initChannel(String listener, Channel channel) {
        channel.pipeline().addLast(initializer);
    }

    /** Nothing to end: an AMQP connection's state goes with its channel. */
    @Override
    public void close() {
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
