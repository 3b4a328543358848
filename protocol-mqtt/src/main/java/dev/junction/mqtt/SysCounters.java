package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@code $SYS} topics count on the wire, over every MQTT connection of one {@link MqttServer}, TCP and
 * WebSocket alike: packets of any type and PUBLISH packets in each direction, the bytes of the MQTT stream (inside
 * WebSocket frames, as Mosquitto counts them), CONNECTs accepted, and the clients connected now.
 *
 * <p>No handler of its own in any pipeline, so an idle connection pays nothing for it: the connection's
 * {@link PacketGuard}, which sits where the MQTT byte stream enters and leaves, counts the bytes both ways, the
 * packets that leave (one encoded buffer is one packet, its type in the first byte's high nibble) and, right after
 * the codec, the packets that arrive whole; the connection's registry entry ({@link ConnectionEntry}) counts the
 * clients from their successful CONNACK to their socket's close. Every event loop adds to the {@link LongAdder}s;
 * the {@code $SYS} timer reads them once per interval.
 */
final class SysCounters {
    /** The PUBLISH packet type, as the first byte of an encoded packet carries it (bits 7-4). */
    private static final int PUBLISH_TYPE = MqttMessageType.PUBLISH.value();

    final LongAdder packetsReceived = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    final LongAdder publishReceived = new LongAdder();
    final LongAdder publishSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    /** CONNECTs answered with a successful CONNACK. */
    final LongAdder connects = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger maximum = new AtomicInteger();

    /** Clients whose CONNECT was accepted and whose connection is still open. */
    int connected() {
        return connected.get();
    }

    /** The most clients connected at the same time since start. */
    int maximum() {
        return maximum.get();
    }

    /** Bytes of the MQTT stream read from a client. */
    void read(ByteBuf b) {
        bytesReceived.add(b.readableBytes());
    }

    /** A packet the codec made whole; a malformed one is not counted. */
    void decoded(MqttMessage m) {
        if (m.decoderResult().isSuccess() && m.fixedHeader() != null) {
            packetsReceived.increment();
            if (m.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
                publishReceived.increment();
            }
        }
    }

    /** One encoded packet on its way to a client. */
    void written(ByteBuf packet) {
        int size = packet.readableBytes();
        if (size == 0) {
            return;
        }
        bytesSent.add(size);
        packetsSent.increment();
        if (packet.getUnsignedByte(packet.readerIndex()) >> 4 == PUBLISH_TYPE) {
            publishSent.increment();
        }
    }

    /** A client's CONNECT was accepted: it counts as connected until {@link #disconnected}. */
    void connectedClient() {
        maximum.accumulateAndGet(connected.incrementAndGet(), Math::max);
        connects.increment();
    }

    /** A client counted by {@link #connectedClient} closed its connection. */
    void disconnected() {
        connected.decrementAndGet();
    }
}
