package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * What decoding a PUBLISH made of empty User Properties costs on the heap (MQTT 5 section 3.3.2.3.7 sets no count).
 * Before {@link PacketShape#MAX_PROPERTY_BYTES}, a 16 MiB packet of them made the codec allocate over 300 MB
 * (measured with the thread's allocated bytes); now the guard refuses it from its bytes, before the codec.
 */
class PropertySizeAllocationTest {
    private static final int MAX_PACKET = 16 * 1024 * 1024 + 128 * 1024;

    private static void vbi(ByteBuf b, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            b.writeByte(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    @Test
    void publishOf16MiBOfEmptyUserPropertiesRefusedWithoutDecodingThem() {
        int count = 16 * 1024 * 1024 / 5;
        ByteBuf body = Unpooled.buffer(count * 5 + 16);
        body.writeShort(1).writeByte('t');
        vbi(body, count * 5);
        for (int i = 0; i < count; i++) {
            body.writeByte(0x26).writeInt(0); // User Property, empty key, empty value
        }
        ByteBuf packet = Unpooled.buffer(body.readableBytes() + 5).writeByte(0x30);
        vbi(packet, body.readableBytes());
        packet.writeBytes(body);
        body.release();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.attr(PacketGuard.CODEC_VERSION).set(MqttVersion.MQTT_5);
        MqttChannelInitializer.addCodec(ch.pipeline(), MAX_PACKET);
        ch.pipeline().fireUserEventTriggered(dev.junction.routing.api.HandshakeCompleted.INSTANCE);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        ch.writeInbound(packet);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        Object out = ch.readInbound();
        try {
            assertThat(out).isInstanceOf(PacketGuard.Violation.class);
            assertThat(((PacketGuard.Violation) out).code()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            // Before: over 300 MB. The guard reads the Property Length and allocates no more than a log line's worth.
            assertThat(allocated).as("bytes allocated handling the packet").isLessThan(1024 * 1024);
        } finally {
            ReferenceCountUtil.release(out);
            ch.finishAndReleaseAll();
        }
    }
}
