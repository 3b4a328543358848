package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AmqpFrameDecoderTest {

    private static AmqpException decodeError(EmbeddedChannel ch, byte[] bytes) {
        return catchThrowableOfType(AmqpException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes)));
    }

    private static void assertRejectedHeader(byte[] header) {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(Frames.FRAME_MAX));
        ch.writeInbound(Unpooled.wrappedBuffer(header));
        assertThat(ch.<Object>readInbound()).isNull();
        ByteBuf reply = ch.readOutbound();
        assertThat(reply).as("server answers with its protocol header").isNotNull();
        assertThat(Frames.bytes(reply)).containsExactly('A', 'M', 'Q', 'P', 0, 0, 9, 1);
        assertThat(ch.isOpen()).as("channel closed after the reply").isFalse();
    }

    private static byte[] validFrames() {
        return Frames.concat(
                Frames.method(1, MethodType.BASIC_PUBLISH.with(0, "amq.topic", "a.b", true, false)),
                content(1, ContentFramesTest.allProperties(), new byte[5000], 4096),
                Frames.method(1, MethodType.BASIC_ACK.with(12L, true)),
                Frames.frame(8, 0, new byte[0]),
                Frames.method(0, MethodType.CONNECTION_TUNE_OK.with(2047, 131_072L, 60)));
    }

    private static byte[] content(int channel, MessageProperties props, byte[] body, int frameMax) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeContent(out, channel, 60, props, body, frameMax);
        return Frames.bytes(out);
    }

    // ------------------------------------------------------------------------------------ protocol header

    @Test
    void exactProtocolHeaderYieldsProtocolHeaderOk() {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(Frames.FRAME_MAX));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q'}));
        assertThat(ch.<Object>readInbound()).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'P', 0, 0, 9, 1}));
        assertThat(ch.<Object>readInbound()).isEqualTo(new ProtocolHeaderOk());
        assertThat(ch.<Object>readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void foreignProtocolGetsTheSupportedHeaderAndTheChannelCloses() {
        // 4.2.2: a server rejecting the protocol header writes a valid header, then closes the socket.
        assertRejectedHeader("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertRejectedHeader(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01}); // TLS hello
    }

    @Test
    void otherAmqpVersionsGetTheSupportedHeaderAndTheChannelCloses() {
        assertRejectedHeader(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 0});
        // 0-9 style header; RabbitMQ itself tolerates this one, Junction speaks exactly 0-9-1.
        assertRejectedHeader(new byte[] {'A', 'M', 'Q', 'P', 1, 1, 0, 9});
        assertRejectedHeader(new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0}); // AMQP 1.0
        assertRejectedHeader(new byte[] {'A', 'M', 'Q', 'P', 3, 1, 0, 0}); // AMQP 1.0 SASL
    }

    @Test
    void aWrongHeaderIsRejectedAsSoonAsAByteDiffers() {
        assertRejectedHeader(new byte[] {'A', 'M', 'Q', 'X'});
    }

    @Test
    void inputAfterARejectedHeaderIsIgnored() {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(Frames.FRAME_MAX));
        ch.writeInbound(Unpooled.wrappedBuffer(Frames.concat(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 0},
                Frames.frame(8, 0, new byte[0]))));
        assertThat(ch.<Object>readInbound()).isNull();
    }

    // ----------------------------------------------------------------------------------------- frames

    @Test
    void heartbeatFrameDecodes() {
        assertThat(Frames.decode(Frames.open(), Frames.frame(8, 0, new byte[0])))
                .containsExactly(new HeartbeatFrame(0));
    }

    @Test
    void heartbeatWithAPayloadIsAFrameError() {
        AmqpException e = decodeError(Frames.open(), Frames.frame(8, 0, new byte[] {1}));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
    }

    @Test
    void bodyFrameCopiesItsPayload() {
        List<AmqpFrame> frames = Frames.decode(Frames.open(), Frames.frame(3, 4, new byte[] {1, 2, 3}));
        assertThat(frames).hasSize(1);
        ContentBodyFrame body = (ContentBodyFrame) frames.get(0);
        assertThat(body.channel()).isEqualTo(4);
        assertThat(body.payload()).containsExactly(1, 2, 3);
    }

    @Test
    void oneByteAtATimeDecodesTheSameFramesAsOneWrite() {
        byte[] wire = validFrames();
        List<AmqpFrame> whole = Frames.decode(Frames.open(4096), wire);
        EmbeddedChannel ch = Frames.open(4096);
        List<AmqpFrame> fragmented = new ArrayList<>();
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            fragmented.addAll(Frames.drain(ch));
        }
        assertThat(whole).hasSize(7); // publish, header, 2 bodies, ack, heartbeat, tune-ok
        assertThat(fragmented).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            if (whole.get(i) instanceof ContentBodyFrame wb) {
                ContentBodyFrame fb = (ContentBodyFrame) fragmented.get(i);
                assertThat(fb.channel()).isEqualTo(wb.channel());
                assertThat(fb.payload()).containsExactly(wb.payload());
            } else {
                assertThat(fragmented.get(i)).isEqualTo(whole.get(i));
            }
        }
        MethodFrame publish = (MethodFrame) whole.get(0);
        assertThat(publish.method().str("routing-key")).isEqualTo("a.b");
        assertThat(publish.method().bit("mandatory")).isTrue();
        assertThat(((ContentHeaderFrame) whole.get(1)).properties()).isEqualTo(ContentFramesTest.allProperties());
    }

    // ----------------------------------------------------------------------------------------- errors

    @Test
    void badFrameEndIsFrameError501() {
        byte[] wire = Frames.method(1, MethodType.BASIC_ACK.with(1L, false));
        wire[wire.length - 1] = 0x00;
        AmqpException e = decodeError(Frames.open(), wire);
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.hardError()).isTrue();
        assertThat(e.getMessage()).contains("frame-end");
    }

    @Test
    void frameOverFrameMaxIsFrameError501BeforeThePayloadArrives() {
        int frameMax = 4096;
        ByteBuf header = Unpooled.buffer().writeByte(3).writeShort(1).writeInt(frameMax + 1);
        AmqpException e = decodeError(Frames.open(frameMax), Frames.bytes(header));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.getMessage()).contains("frame-max");
    }

    @Test
    void payloadOfUpToFrameMaxIsToleratedAsRabbitMqDoes() {
        // rabbit_reader allows FRAME_SIZE_FUDGE (8) bytes over frame-max - 8: clients are often off by 8.
        assertThat(Frames.decode(Frames.open(4096), Frames.frame(3, 1, new byte[4096]))).hasSize(1);
        assertThat(decodeError(Frames.open(4096), Frames.frame(3, 1, new byte[4097])).replyCode())
                .isEqualTo(ReplyCode.FRAME_ERROR);
    }

    @Test
    void negotiatedFrameMaxReplacesTheInitialLimit() {
        AmqpFrameDecoder decoder = new AmqpFrameDecoder(131_072);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        ch.writeInbound(Unpooled.wrappedBuffer(AmqpEncoder.PROTOCOL_HEADER));
        ch.readInbound();
        assertThat(Frames.decode(ch, Frames.frame(3, 1, new byte[10_000]))).hasSize(1);
        decoder.frameMax(8192);
        assertThat(decoder.frameMax()).isEqualTo(8192);
        assertThat(decodeError(ch, Frames.frame(3, 1, new byte[10_000])).replyCode()).isEqualTo(501);
    }

    @Test
    void unknownFrameTypeIsFrameError501() {
        AmqpException e = decodeError(Frames.open(), Frames.frame(4, 1, new byte[0]));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.getMessage()).contains("type 4");
    }

    @Test
    void unknownClassOrMethodIsCommandInvalid503() {
        // RabbitMQ drops the connection on unknown ids; 503 is what it sends for a method it does not implement.
        AmqpException e = decodeError(Frames.open(), Frames.frame(1, 1, Frames.methodPayload(60, 200)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.COMMAND_INVALID);
        assertThat(e.hardError()).isTrue();
        assertThat(e.classId()).isEqualTo(60);
        assertThat(e.methodId()).isEqualTo(200);
        assertThat(decodeError(Frames.open(), Frames.frame(1, 1, Frames.methodPayload(99, 10))).replyCode())
                .isEqualTo(ReplyCode.COMMAND_INVALID);
    }

    @Test
    void methodFrameTooShortForIdsIsFrameError501() {
        assertThat(decodeError(Frames.open(), Frames.frame(1, 1, new byte[] {0, 60, 0})).replyCode())
                .isEqualTo(ReplyCode.FRAME_ERROR);
    }

    @Test
    void truncatedMethodArgumentsAreFrameError501NamingTheMethod() {
        byte[] full = Frames.method(1, MethodType.BASIC_PUBLISH.with(0, "ex", "rk", false, false));
        ByteBuf payload = Unpooled.wrappedBuffer(full, 7, full.length - 8 - 1); // drop the bits octet
        AmqpException e = decodeError(Frames.open(), Frames.frame(1, 1, Frames.bytes(payload)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.classId()).isEqualTo(60);
        assertThat(e.methodId()).isEqualTo(40);
        assertThat(e.getMessage()).contains("basic.publish");
        // shortstr length pointing past the payload
        byte[] overrun = Frames.methodPayload(60, 40, (byte) 0, (byte) 0, (byte) 50, (byte) 'e');
        assertThat(decodeError(Frames.open(), Frames.frame(1, 1, overrun)).replyCode()).isEqualTo(501);
    }

    @Test
    void bytesAfterTheLastArgumentAreFrameError501() {
        byte[] payload = Frames.methodPayload(60, 80, new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0x7F});
        AmqpException e = decodeError(Frames.open(), Frames.frame(1, 1, payload));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.methodId()).isEqualTo(80);
    }

    @Test
    void badFieldTableTypeInArgumentsIsFrameError501() {
        byte[] ok = Frames.method(1, MethodType.QUEUE_DECLARE.with(0, "q", false, true, false, false, false,
                Map.of("x-max-length", 5)));
        int typeIndex = ok.length - 1 - 4 - 1; // the 'I' before the int value and the frame end
        assertThat((char) ok[typeIndex]).isEqualTo('I');
        ok[typeIndex] = 'Z';
        AmqpException e = decodeError(Frames.open(), ok);
        assertThat(e.replyCode()).isEqualTo(ReplyCode.FRAME_ERROR);
        assertThat(e.classId()).isEqualTo(50);
    }

    @Test
    void contentHeaderTooShortOrTruncatedPropertiesIsFrameError501() {
        assertThat(decodeError(Frames.open(), Frames.frame(2, 1, new byte[13])).replyCode()).isEqualTo(501);
        ByteBuf header = Unpooled.buffer().writeShort(60).writeShort(0).writeLong(3).writeShort(0x8000)
                .writeByte(10).writeByte('x'); // content-type of 10 bytes, 1 present
        assertThat(decodeError(Frames.open(), Frames.frame(2, 1, Frames.bytes(header))).replyCode())
                .isEqualTo(501);
    }

    @Test
    void propertyFlagContinuationWordsAreSkippedWhenTheyNameNoProperty() {
        // 4.2.6.1: bit 0 of a property-flags word says another flags word follows.
        ByteBuf header = Unpooled.buffer().writeShort(60).writeShort(0).writeLong(0).writeShort(0x8001)
                .writeShort(0x0001).writeShort(0x0000)
                .writeByte(4).writeBytes("text".getBytes(StandardCharsets.US_ASCII));
        assertThat(Frames.decode(Frames.open(), Frames.frame(2, 1, Frames.bytes(header)))).containsExactly(
                new ContentHeaderFrame(1, 60, 0, MessageProperties.builder().contentType("text").build()));
        ByteBuf unknown = Unpooled.buffer().writeShort(60).writeShort(0).writeLong(0).writeShort(0x0001)
                .writeShort(0x8000).writeByte(0);
        assertThat(decodeError(Frames.open(), Frames.frame(2, 1, Frames.bytes(unknown))).replyCode()).isEqualTo(501);
    }

    @Test
    void contentHeaderForAnotherClassIsUnexpectedFrame505() {
        ByteBuf header = Unpooled.buffer().writeShort(50).writeShort(0).writeLong(0).writeShort(0);
        AmqpException e = decodeError(Frames.open(), Frames.frame(2, 1, Frames.bytes(header)));
        assertThat(e.replyCode()).isEqualTo(ReplyCode.UNEXPECTED_FRAME);
    }

    @Test
    void framesBeforeAnErrorAreDeliveredAndEverythingAfterIsIgnored() {
        EmbeddedChannel ch = Frames.open();
        byte[] good = Frames.method(1, MethodType.BASIC_ACK.with(1L, false));
        byte[] bad = Frames.frame(4, 1, new byte[0]);
        AmqpException e = decodeError(ch, Frames.concat(good, bad, good));
        assertThat(e.replyCode()).isEqualTo(501);
        assertThat(Frames.drain(ch)).containsExactly(new MethodFrame(1, MethodType.BASIC_ACK.with(1L, false)));
        // later input, valid or not, produces neither frames nor errors
        ch.writeInbound(Unpooled.wrappedBuffer(Frames.concat(good, bad, validFrames())));
        assertThat(Frames.drain(ch)).isEmpty();
        assertThat(ch.pipeline().get(AmqpFrameDecoder.class).discarding()).isTrue();
    }

    @Test
    void replyTextIsFormattedLikeRabbitMqAndFitsAShortstr() {
        AmqpException e = AmqpException.channel(ReplyCode.NOT_FOUND, "no queue '" + "q".repeat(300) + "'", 50, 10);
        assertThat(e.hardError()).isFalse();
        assertThat(e.replyText()).startsWith("NOT_FOUND - no queue 'qqq").hasSize(255);
        assertThat(AmqpException.connection(501, "x").replyText()).isEqualTo("FRAME_ERROR - x");
        String wide = AmqpException.connection(541, "é".repeat(200)).replyText();
        assertThat(wide.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeMethod(out, 0, MethodType.CONNECTION_CLOSE.with(e.replyCode(), e.replyText(), 50, 10));
        out.release();
    }
}
