package dev.junction.mqtt;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;

/**
 * The pipeline of an accepted MQTT socket (3.1, 3.1.1 and 5 on one port): packet guard, codec, connection.
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
        int max = server.config.maxPacketSize();
        p.addLast("mqtt-guard", new PacketGuard(max));
        p.addLast("mqtt-decoder", new MqttDecoder(max));
        p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
        p.addLast("mqtt", new MqttConnection(server));
    }
}
