package dev.junction.mqtt;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * The pipeline of an accepted MQTT socket (3.1, 3.1.1 and 5 on one port): packet guard, codec (with the guard's
 * counter after the decoder and the client's Maximum Packet Size after the encoder), connection. The {@code $SYS}
 * topics' counters ({@link SysCounters}) have no handler of their own: the guard and the connection count for them.
 * The shared MQTT state (sessions, retained messages) is one {@link MqttServer} per engine, so this and
 * {@link MqttWebSocketInitializer} built for the same engine see the same sessions.
 */
public final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final MqttServer server;

    public MqttChannelInitializer(MqttServer server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        addMqttHandlers(ch.pipeline(), server);
    }

    static void addMqttHandlers(ChannelPipeline p, MqttServer server) {
        addCodec(p, server.maxPacketSize, server.sys == null ? null : server.sys.counters);
        p.addLast("mqtt", new MqttConnection(server));
    }

    /** The wire codec alone (what the fuzz tests drive): guard, decoder, guard's counter, size limit, encoder. */
    static void addCodec(ChannelPipeline p, int maxPacketSize) {
        addCodec(p, maxPacketSize, null);
    }

    /** The wire codec, its guard counting for the {@code $SYS} topics when {@code counters} is not null. */
    static void addCodec(ChannelPipeline p, int maxPacketSize, SysCounters counters) {
        PacketGuard guard = new PacketGuard(maxPacketSize, counters);
        p.addLast("mqtt-guard", guard);
        p.addLast("mqtt-decoder", new MqttDecoder(maxPacketSize));
        p.addLast("mqtt-decoded", guard.afterCodec);
        p.addLast("mqtt-size-limit", new OutboundSizeLimit());
        p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
    }
}
