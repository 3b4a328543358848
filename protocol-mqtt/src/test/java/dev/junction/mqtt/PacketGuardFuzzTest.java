package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link PacketGuard} with a stand-in for the codec (one message per packet, so the
 * guard's counter after the codec sees output), with a maximum packet size taken from the input: byte 0 bits 0..5
 * are the piece size (0 = one piece), bit 6 makes the connection MQTT 5 (the guard checks packet shapes by
 * version); byte 1 picks the maximum (0 = the broker's default, otherwise 2 + 16 * value). The stream starts at
 * byte 2.
 *
 * <p>Invariants, per input: the guard passes on whole packets only, each one's Remaining Length matching its
 * size [MQTT-1.5.5] and none larger than the maximum [MQTT-3.2.2-15 (5.0)], none with reserved flags set
 * [MQTT-2.2.2-2] or both QoS bits [MQTT-3.3.1-4]; the packets are the stream's bytes in order, with nothing
 * skipped; a {@link PacketGuard.Violation} comes at most once and last; what is still buffered never exceeds
 * what was sent; every buffer is released; heap allocated is bounded by the input size.
 */
class PacketGuardFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void passesWholeValidPacketsInOrderOrOneViolation(byte[] input) {
        if (input.length < 2) {
            return;
        }
        // 256 bytes per input byte: fed one byte at a time, each read costs a buffer and the channel's bookkeeping.
        HeapMeter.bounded("guarding " + input.length + " bytes", HeapMeter.budget(input.length, 256 << 10, 256),
                () -> guard(input));
    }

    private static void guard(byte[] input) {
        int max = input[1] == 0 ? MqttDecoderFuzzTest.DEFAULT_MAX : 2 + 16 * (input[1] & 0xFF);
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        if ((input[0] & 0x40) != 0) {
            ch.attr(PacketGuard.CODEC_VERSION).set(MqttVersion.MQTT_5); // as if CONNECT had said 5
        }
        PacketGuard guard = new PacketGuard(max);
        ch.pipeline().addLast(guard, new StandInCodec(), guard.afterCodec);
        List<Object> out = MqttDecoderFuzzTest.feed(ch, alloc, input, 2);
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        boolean violated = false;
        for (Object o : out) {
            assertThat(violated).as("output after a violation").isFalse();
            if (o instanceof PacketGuard.Violation) {
                violated = true;
                continue;
            }
            ByteBuf packet = ((Packet) o).bytes();
            byte[] bytes = ByteBufUtil.getBytes(packet);
            packet.release();
            assertThat(bytes.length).isLessThanOrEqualTo(max);
            int b1 = bytes[0] & 0xFF;
            assertThat(PacketGuard.flagProblem(b1 >> 4, b1 & 0x0F)).isNull();
            int length = 0;
            int i = 1;
            for (int shift = 0; ; shift += 7, i++) {
                assertThat(i).as("Remaining Length within four bytes").isLessThanOrEqualTo(4);
                length |= (bytes[i] & 0x7F) << shift;
                if ((bytes[i] & 0x80) == 0) {
                    break;
                }
            }
            assertThat(bytes.length).as("packet size from its Remaining Length").isEqualTo(i + 1 + length);
            passed.writeBytes(bytes);
        }
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        byte[] packets = passed.toByteArray();
        assertThat(Arrays.copyOf(stream, Math.min(stream.length, packets.length))).as("packets are the stream")
                .isEqualTo(packets);
        ch.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }

    /** One packet as the stand-in codec passes it on: an MqttMessage, so the guard's counter sees output. */
    private static final class Packet extends MqttMessage {
        private final ByteBuf bytes;

        Packet(ByteBuf bytes) {
            super(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0));
            this.bytes = bytes;
        }

        ByteBuf bytes() {
            return bytes;
        }
    }

    /** Stands where Netty's decoder stands: one message per packet, carrying the packet's bytes. */
    private static final class StandInCodec extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg instanceof ByteBuf b ? new Packet(b) : msg);
        }
    }
}
