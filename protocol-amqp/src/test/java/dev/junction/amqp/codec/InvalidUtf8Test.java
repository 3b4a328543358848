package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Found by AmqpFrameDecoderFuzzTest: short strings that are not UTF-8 were decoded with U+FFFD for each bad
 * byte, so a 255-byte routing key became 765 bytes and the basic.deliver or basic.return carrying it could not be
 * encoded. They are now a frame error, 501 FRAME_ERROR ("cannot decode"), as any other malformed argument.
 */
class InvalidUtf8Test {

    private static byte[] invalid(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 0xFF);
        return b;
    }

    private static AmqpException decode(byte[] frame) {
        EmbeddedChannel ch = Frames.open();
        AmqpException e = catchThrowableOfType(AmqpException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(frame)));
        ch.finishAndReleaseAll();
        return e;
    }

    @Test
    void aRoutingKeyThatIsNotUtf8IsAFrameError() {
        ByteBuf args = Unpooled.buffer();
        args.writeShort(0).writeByte(0).writeByte(255).writeBytes(invalid(255)).writeByte(0);
        AmqpException e = decode(Frames.frame(1, 1, Frames.concat(Frames.methodPayload(60, 40), Frames.bytes(args))));
        assertThat(e).isNotNull();
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.replyText()).contains("basic.publish").contains("not valid UTF-8");
    }

    @Test
    void aHeaderKeyThatIsNotUtf8IsAFrameError() {
        ByteBuf payload = Unpooled.buffer();
        payload.writeShort(60).writeShort(0).writeLong(0).writeShort(1 << 13);
        payload.writeInt(1 + 255 + 1).writeByte(255).writeBytes(invalid(255)).writeByte('V');
        AmqpException e = decode(Frames.frame(2, 1, Frames.bytes(payload)));
        assertThat(e).isNotNull();
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
    }

    @Test
    void validMultiByteUtf8StillDecodes() {
        Method m = MethodType.BASIC_PUBLISH.with(0, "", "clé.ü.€", false, false);
        EmbeddedChannel ch = Frames.open();
        assertThat(Frames.decode(ch, Frames.method(1, m))).containsExactly(new MethodFrame(1, m));
        ch.finishAndReleaseAll();
    }
}
