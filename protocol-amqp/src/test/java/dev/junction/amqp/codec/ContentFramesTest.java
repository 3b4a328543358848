package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Content header and body frames (spec 4.2.6). */
class ContentFramesTest {

    static MessageProperties allProperties() {
        return MessageProperties.builder()
                .contentType("application/json")
                .contentEncoding("gzip")
                .header("x-trace", "abc")
                .header("n", 42)
                .header("nested", Map.of("d", new BigDecimal("1.5"), "list", List.of(1, "two")))
                .deliveryMode(MessageProperties.PERSISTENT)
                .priority(255)
                .correlationId("corr-1")
                .replyTo("amq.rabbitmq.reply-to")
                .expiration("60000")
                .messageId("msg-ü")
                .timestamp(Instant.ofEpochSecond(1_717_171_717L))
                .type("order.created")
                .userId("guest")
                .appId("junction-test")
                .clusterId("c1")
                .build();
    }

    private static byte[] content(int channel, MessageProperties props, byte[] body, int frameMax) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeContent(out, channel, 60, props, body, frameMax);
        return Frames.bytes(out);
    }

    @Test
    void headerWithAllFourteenPropertiesRoundTrips() {
        MessageProperties props = allProperties();
        byte[] wire = content(5, props, "hello".getBytes(), Frames.FRAME_MAX);
        ByteBuf b = Unpooled.wrappedBuffer(wire);
        assertThat(b.getUnsignedByte(0)).isEqualTo((short) 2); // 4.2.6: content header frame type 2
        assertThat(b.getUnsignedShort(7)).isEqualTo(60); // class-id
        assertThat(b.getUnsignedShort(9)).isZero(); // weight
        assertThat(b.getLong(11)).isEqualTo(5L); // body-size
        assertThat(b.getUnsignedShort(19)).isEqualTo(0xFFFC); // 14 flags from bit 15 down, bit 0 clear

        List<AmqpFrame> frames = Frames.decode(Frames.open(), wire);
        assertThat(frames).hasSize(2);
        ContentHeaderFrame header = (ContentHeaderFrame) frames.get(0);
        assertThat(header.channel()).isEqualTo(5);
        assertThat(header.classId()).isEqualTo(60);
        assertThat(header.bodySize()).isEqualTo(5);
        assertThat(header.properties()).isEqualTo(props);
        assertThat(((ContentBodyFrame) frames.get(1)).payload()).containsExactly("hello".getBytes());
    }

    @Test
    void headerWithNoPropertiesHasZeroFlagsAndDecodesToEmpty() {
        byte[] wire = content(1, MessageProperties.EMPTY, new byte[0], Frames.FRAME_MAX);
        // header(7) class(2) weight(2) size(8) flags(2) end(1); an empty body sends no body frame
        assertThat(wire).hasSize(22);
        assertThat(wire[19]).isZero();
        assertThat(wire[20]).isZero();
        List<AmqpFrame> frames = Frames.decode(Frames.open(), wire);
        assertThat(frames).containsExactly(new ContentHeaderFrame(1, 60, 0, MessageProperties.EMPTY));
        assertThat(content(1, null, new byte[0], Frames.FRAME_MAX)).containsExactly(wire);
    }

    @Test
    void bodyIsSplitIntoFramesOfAtMostFrameMaxMinusEight() {
        int frameMax = 4096; // FRAME-MIN-SIZE
        byte[] body = new byte[10_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        byte[] wire = content(9, MessageProperties.EMPTY, body, frameMax);
        List<AmqpFrame> frames = Frames.decode(Frames.open(frameMax), wire);
        assertThat(frames).hasSize(4);
        assertThat(((ContentHeaderFrame) frames.get(0)).bodySize()).isEqualTo(10_000);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int[] sizes = new int[3];
        for (int i = 1; i < 4; i++) {
            ContentBodyFrame f = (ContentBodyFrame) frames.get(i);
            assertThat(f.channel()).isEqualTo(9);
            sizes[i - 1] = f.payload().length;
            joined.writeBytes(f.payload());
        }
        assertThat(sizes).containsExactly(4088, 4088, 1824);
        assertThat(joined.toByteArray()).containsExactly(body);
    }

    @Test
    void bodyOfExactlyOneFramePayloadIsOneFrame() {
        int frameMax = 4096;
        byte[] wire = content(1, MessageProperties.EMPTY, new byte[frameMax - 8], frameMax);
        assertThat(wire).hasSize(22 + frameMax); // header frame + one full body frame
        assertThat(Frames.decode(Frames.open(frameMax), wire)).hasSize(2);
        byte[] plusOne = content(1, MessageProperties.EMPTY, new byte[frameMax - 7], frameMax);
        assertThat(Frames.decode(Frames.open(frameMax), plusOne)).hasSize(3);
    }

    @Test
    void frameMaxZeroMeansOneBodyFrame() {
        byte[] wire = content(1, MessageProperties.EMPTY, new byte[200_000], 0);
        assertThat(Frames.decode(Frames.open(0), wire)).hasSize(2);
    }

    @Test
    void unencodablePropertiesLeaveTheBufferUntouched() {
        ByteBuf out = Unpooled.buffer();
        MessageProperties longType = MessageProperties.builder().type("t".repeat(256)).build();
        assertThatThrownBy(() -> AmqpEncoder.writeContent(out, 1, 60, longType, new byte[1], 4096))
                .isInstanceOf(IllegalArgumentException.class);
        MessageProperties badMode = MessageProperties.builder().deliveryMode(256).build();
        assertThatThrownBy(() -> AmqpEncoder.writeContent(out, 1, 60, badMode, new byte[1], 4096))
                .isInstanceOf(IllegalArgumentException.class);
        MessageProperties badHeader = MessageProperties.builder().header("k", new Object()).build();
        assertThatThrownBy(() -> AmqpEncoder.writeContent(out, 1, 60, badHeader, new byte[1], 4096))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(out.writerIndex()).isZero();
        assertThatThrownBy(() -> AmqpEncoder.writeContent(out, 1, 60, MessageProperties.EMPTY, new byte[1], 8))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void heartbeatIsTypeEightOnChannelZeroWithEmptyPayload() {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeHeartbeat(out);
        byte[] wire = Frames.bytes(out);
        assertThat(wire).containsExactly(8, 0, 0, 0, 0, 0, 0, 0xCE); // 4.2.7
        assertThat(Frames.decode(Frames.open(), wire)).containsExactly(new HeartbeatFrame(0));
    }
}
