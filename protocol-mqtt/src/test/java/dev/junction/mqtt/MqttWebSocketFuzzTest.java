package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of MQTT over WebSocket: the handlers {@link MqttWebSocketInitializer} installs (HTTP
 * codec, aggregator, upgrade on {@code /mqtt} with subprotocol {@code mqtt}, frames to bytes) followed by the MQTT
 * codec as {@link MqttChannelInitializer} installs it. Byte 0: bit 7 set feeds the input as it is (the HTTP
 * request is fuzzed too), otherwise a valid upgrade request comes first and the input is the WebSocket stream;
 * bits 0..5 are the piece size (0 = one piece).
 *
 * <p>Invariants, per input: the only errors that reach the end of the pipeline are decoding errors (a
 * {@link DecoderException} caused by nothing else, a refused handshake, a write after the refusal closed the
 * channel), never an unexpected exception type;
 * MQTT arrives only from binary frames, as whole packets or one refusal, nothing after it [MQTT-6.0.0-1]; the
 * server writes at most a constant plus twice the input's size; every buffer is released when the channel closes;
 * heap allocated is bounded by the input size (the aggregator and frame limits hold).
 */
class MqttWebSocketFuzzTest {
    static final byte[] UPGRADE = ("GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "10m")
    void upgradesAndFramesOnlyIntoMqttPacketsOrAClose(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HeapMeter.bounded("a WebSocket fed " + input.length + " bytes", HeapMeter.budget(input.length, 1 << 20, 256),
                () -> run(input));
    }

    private static void run(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        MqttWebSocketInitializer.addWebSocket(ch.pipeline(), MqttDecoderFuzzTest.DEFAULT_MAX);
        MqttChannelInitializer.addCodec(ch.pipeline(), MqttDecoderFuzzTest.DEFAULT_MAX);
        Tail tail = new Tail();
        ch.pipeline().addLast(tail);
        long written = 0;
        if ((input[0] & 0x80) == 0) {
            ch.writeInbound(alloc.copyOf(UPGRADE, 0, UPGRADE.length));
            written += drain(ch);
        }
        int piece = input[0] & 0x3F;
        for (int i = 1; i < input.length && ch.isOpen(); i += piece == 0 ? input.length : piece) {
            int to = piece == 0 ? input.length : Math.min(input.length, i + piece);
            ch.writeInbound(alloc.copyOf(input, i, to));
            written += drain(ch);
        }
        ch.close();
        written += drain(ch);
        ch.finishAndReleaseAll();

        for (Throwable t : tail.errors) {
            boolean decoding = t instanceof DecoderException d && (d.getCause() == null
                    || d.getCause() instanceof DecoderException || d.getCause() == d);
            // A write the handshake handler attempted after the channel closed (a refused upgrade followed by more
            // bytes in the same read) fails with ClosedChannelException: expected, and closing is the answer.
            assertThat(decoding || t instanceof WebSocketHandshakeException
                    || t instanceof java.nio.channels.ClosedChannelException)
                    .as("unexpected exception type reached the end of the pipeline: %s", t).isTrue();
        }
        boolean refused = false;
        for (Object o : tail.messages) {
            assertThat(refused).as("a packet after a refusal: %s", o).isFalse();
            refused = o instanceof PacketGuard.Violation || ((MqttMessage) o).decoderResult().isFailure();
        }
        assertThat(written).as("bytes written for %d input bytes", input.length)
                .isLessThanOrEqualTo(4096 + 2L * input.length);
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }

    private static long drain(EmbeddedChannel ch) {
        long n = 0;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof ByteBuf b) {
                n += b.readableBytes();
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    /** Stands where MqttConnection stands: takes the messages and the errors, releases what it is given. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            assertThat(msg).isInstanceOfAny(MqttMessage.class, PacketGuard.Violation.class);
            messages.add(msg instanceof MqttMessage m ? new MqttMessage(m.fixedHeader(), null, null,
                    m.decoderResult()) : msg);
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close(); // as MqttConnection does
        }
    }
}
