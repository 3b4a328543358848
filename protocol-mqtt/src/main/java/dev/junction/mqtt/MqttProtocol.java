package dev.junction.mqtt;

import dev.junction.config.JunctionConfig;
import dev.junction.config.Limits;
import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolModule;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.util.List;

/**
 * MQTT 3.1, 3.1.1 and 5 as a {@link ProtocolModule}: listeners {@code mqtt} and {@code mqtts} (the byte stream on
 * TCP) and {@code mqtt_ws} and {@code mqtt_wss} (over WebSocket). One {@link MqttServer}, built when the first of
 * them is enabled and not at all otherwise, serves every listener, so sessions, client-id takeover and retained
 * messages are the same whichever listener a client uses.
 */
public final class MqttProtocol implements ProtocolModule {
    private MqttServer server;
    private ChannelHandler tcp;
    private ChannelHandler webSocket;

    /**
     * Whether {@code queueName} is an MQTT session's queue; its name holds the client id, which per-queue metrics
     * would publish as a label. A rule on names: it holds whether or not MQTT is enabled, for the session queues
     * a store keeps from an earlier run.
     */
    public static boolean isSessionQueue(String queueName) {
        return MqttServer.isSessionQueue(queueName);
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public List<String> listeners() {
        return List.of("mqtt", "mqtt_ws", "mqtts", "mqtt_wss");
    }

    @Override
    public void start(ProtocolContext context) {
        JunctionConfig config = context.config();
        Limits limits = config.limits();
        server = MqttServer.create(new MqttSettings(config.mqtt(), config.users(), limits.maxMessageSize(),
                limits.maxRetainedMessages(), limits.maxRetainedBytes()), context.engine(), context.clientIds(),
                context.exactlyOnce());
        tcp = new MqttChannelInitializer(server);
        webSocket = new MqttWebSocketInitializer(server);
    }

    @Override
    public void initChannel(String listener, Channel channel) {
        boolean overWebSocket = listener.equals("mqtt_ws") || listener.equals("mqtt_wss");
        channel.pipeline().addLast(overWebSocket ? webSocket : tcp);
    }

    /** Stops session expiry and delayed wills, and lets session tasks already asked finish. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
