package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link AmqpFrameDecoder}: arbitrary bytes, cut into arbitrary pieces, after the
 * protocol header (or in place of it). Run over the saved corpus by every build; {@code JAZZER_FUZZ=1} explores
 * (see docs/fuzzing.md).
 *
 * <p>Input layout: byte 0 picks the delivery: bit 7 set feeds the bytes as they are (the protocol header is
 * fuzzed too), otherwise the valid header comes first; bits 0..5 are the piece size (0 = one piece). The rest
 * is the stream.
 *
 * <p>Invariants, per input: the decoder yields frames, then at most one {@link AmqpException} (never another
 * exception type) after which it discards everything [AMQP 0-9-1 4.2.3: a frame error is a connection error];
 * no payload exceeds frame-max; every method and content header re-encodes, and decoding that again gives the
 * same values (what the broker decodes it can echo back to a client); every buffer the pipeline allocated is
 * released; heap allocated stays within a constant plus a multiple of the input size.
 */
class AmqpFrameDecoderFuzzTest {
    private static final int FRAME_MAX = 4096;

    @FuzzTest(maxDuration = "10m")
    void decodesAnyByteStreamIntoFramesOrOneFrameError(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HeapMeter.bounded("decoding " + input.length + " bytes", HeapMeter.budget(input.length, 1 << 20, 256),
                () -> decode(input));
    }

    private static void decode(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        AmqpFrameDecoder decoder = new AmqpFrameDecoder(FRAME_MAX);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(decoder);
        boolean raw = (input[0] & 0x80) != 0;
        int piece = input[0] & 0x3F;
        List<ByteBuf> fed = new ArrayList<>();
        if (!raw) {
            fed.add(alloc.copyOf(AmqpEncoder.PROTOCOL_HEADER, 0, 8));
        }
        for (int from = 1; from < input.length; from += piece == 0 ? input.length : piece) {
            int to = piece == 0 ? input.length : Math.min(input.length, from + piece);
            fed.add(alloc.copyOf(input, from, to));
        }
        List<AmqpFrame> frames = new ArrayList<>();
        AmqpException error = null;
        for (ByteBuf buf : fed) {
            if (!ch.isOpen()) {
                buf.release(); // a rejected protocol header closed the socket: nothing more is read
                continue;
            }
            boolean failedBefore = error != null;
            try {
                ch.writeInbound(buf);
            } catch (AmqpException e) {
                assertThat(error).as("one frame error per connection, then silence").isNull();
                error = e;
            }
            // Frames decoded before the error, from the same read, come first; none after it.
            for (Object o; (o = ch.readInbound()) != null; ) {
                assertThat(failedBefore).as("a frame decoded after a frame error").isFalse();
                frames.add((AmqpFrame) o);
            }
        }
        if (error != null) {
            assertThat(decoder.discarding()).isTrue();
            assertThat(error.replyCode()).isIn(ReplyCode.FRAME_ERROR, ReplyCode.COMMAND_INVALID,
                    ReplyCode.UNEXPECTED_FRAME);
        }
        for (AmqpFrame f : frames) {
            checkFrame(f);
        }
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ((ByteBuf) o).release(); // the answer to a wrong protocol header
        }
        ch.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers the decoder did not release").isEmpty();
    }

    private static void checkFrame(AmqpFrame f) {
        if (f instanceof ContentBodyFrame b) {
            assertThat(b.payload().length).isLessThanOrEqualTo(FRAME_MAX);
        } else if (f instanceof MethodFrame m) {
            Method again = reencoded(m).method();
            assertThat(again.type()).isEqualTo(m.method().type());
            assertThat(Deep.equal(again.args(), m.method().args())).as("re-decoded %s", m.method()).isTrue();
        } else if (f instanceof ContentHeaderFrame h) {
            ContentHeaderFrame again = reencoded(h);
            assertThat(again.bodySize()).isEqualTo(h.bodySize());
            assertThat(Deep.equal(again.properties(), h.properties())).as("re-decoded %s", h.properties()).isTrue();
        }
    }

    private static MethodFrame reencoded(MethodFrame m) {
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        AmqpEncoder.writeMethod(out, m.channel(), m.method());
        return (MethodFrame) decodeOne(out);
    }

    private static ContentHeaderFrame reencoded(ContentHeaderFrame h) {
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        // Only the header frame is read back; its body size is what the original header announced.
        AmqpEncoder.writeContent(out, h.channel(), h.classId(), h.properties(), new byte[0], FRAME_MAX);
        out.setLong(out.readerIndex() + 7 + 4, h.bodySize());
        return (ContentHeaderFrame) decodeOne(out);
    }

    private static AmqpFrame decodeOne(ByteBuf frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new AmqpFrameDecoder(0));
        ch.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(AmqpEncoder.PROTOCOL_HEADER), frame);
        assertThat((Object) ch.readInbound()).isInstanceOf(ProtocolHeaderOk.class);
        AmqpFrame decoded = ch.readInbound();
        ch.finishAndReleaseAll();
        return decoded;
    }
}
