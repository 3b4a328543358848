package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT 5 client connection on an {@link EmbeddedChannel} carrying the server's real pipeline (packet guard,
 * decoder, encoder, connection). The test thread is the channel's event loop: packets are encoded by a client-side
 * encoder and written as bytes, and what the server writes is decoded by a client-side decoder.
 *
 * <p>An embedded event loop is not thread-safe, and the engine completes work on its own threads: the client waits
 * for the server's session lanes to be idle, and for a handed-over delivery to be queued, before it runs the
 * channel's tasks.
 */
final class EmbeddedClient implements AutoCloseable {
    private final EmbeddedBroker broker;
    final EmbeddedChannel server = new EmbeddedChannel();
    private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
    private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder());

    EmbeddedClient(EmbeddedBroker broker) {
        this.broker = broker;
        MqttChannelInitializer.addMqttHandlers(server.pipeline(), broker.server);
        server.pipeline().fireChannelActive();
        decoder.attr(PacketGuard.CODEC_VERSION).set(MqttVersion.MQTT_5);
        encoder.attr(PacketGuard.CODEC_VERSION).set(MqttVersion.MQTT_5);
    }

    /** Sends {@code m} as the bytes a client would. */
    void send(MqttMessage m) {
        encoder.writeOutbound(m);
        for (ByteBuf b; (b = encoder.readOutbound()) != null; ) {
            server.writeInbound(b);
        }
        server.runPendingTasks();
    }

    /** Sends bytes the client-side encoder would refuse to make. */
    void sendRaw(int... bytes) {
        ByteBuf b = io.netty.buffer.Unpooled.buffer(bytes.length);
        for (int x : bytes) {
            b.writeByte(x);
        }
        server.writeInbound(b);
        server.runPendingTasks();
    }

    /** CONNECT as {@code clientId} (user alice, clean start, no keep alive) and expects CONNACK Success. */
    MqttConnAckMessage connect(String clientId) throws Exception {
        return connect(clientId, true, 0);
    }

    /** CONNECT with Clean Start and Session Expiry Interval as given; expects CONNACK Success. */
    MqttConnAckMessage connect(String clientId, boolean cleanStart, int expirySeconds) throws Exception {
        MqttProperties props = new MqttProperties();
        if (expirySeconds > 0) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, expirySeconds));
        }
        send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_5)
                .cleanSession(cleanStart).keepAlive(0).username("alice")
                .password("alice-pw".getBytes(StandardCharsets.UTF_8)).properties(props).build());
        MqttConnAckMessage ack = (MqttConnAckMessage) next();
        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return ack;
    }

    void publish(String topic, MqttQoS qos, int packetId, String payload) {
        send(MqttMessageBuilders.publish().topicName(topic).qos(qos).messageId(packetId).retained(false)
                .payload(io.netty.buffer.Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build());
    }

    void subscribe(String filter, MqttQoS qos, int packetId) {
        send(MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(qos, filter).build());
    }

    /** The next packet the server writes, waiting (up to 5 s) for work the engine completes on its own threads. */
    MqttMessage next() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            MqttMessage m = poll();
            if (m != null) {
                return m;
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the server wrote nothing within 5 s");
    }

    /**
     * What the server wrote so far, without waiting; null when nothing. The channel is touched only once the
     * session lanes are idle: a lane completes a CONNECT by running on the channel's (embedded) loop inline.
     */
    MqttMessage poll() {
        MqttMessage decoded = decoder.readInbound();
        if (decoded != null || !broker.server.lanesIdle()) {
            return decoded;
        }
        server.runPendingTasks();
        for (ByteBuf b; (b = server.readOutbound()) != null; ) {
            decoder.writeInbound(b);
        }
        return decoder.readInbound();
    }

    /**
     * Waits until a queue thread has handed a delivery to this connection (a task waits on its loop), so that
     * running the loop's tasks does not race the queue thread that adds one.
     */
    void awaitHandoff() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!server.hasPendingTasks() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(server.hasPendingTasks()).as("a delivery handed over").isTrue();
    }

    @Override
    public void close() {
        server.close();
        server.runPendingTasks();
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
