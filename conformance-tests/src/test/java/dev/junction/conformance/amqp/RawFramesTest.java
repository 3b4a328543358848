package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertBrokerServes;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The wire protocol driven byte by byte over a plain socket: protocol header negotiation, framing errors and the
 * heartbeat timeout. After every abuse, a stock-client connection to the same broker must still work.
 */
@Timeout(30)
class RawFramesTest {
    private static final byte[] AMQP_0_9_1 = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    private static final int METHOD = 1;
    private static final int HEADER = 2;
    private static final int BODY = 3;
    private static final int HEARTBEAT = 8;
    private static final int FRAME_END = 0xCE;

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void handshakeByHandThenCleanCloseWorks() throws Exception {
        // AMQP 0-9-1 connection class: start/start-ok/tune/tune-ok/open/open-ok, then close/close-ok
        try (Raw raw = new Raw(broker.amqpPort())) {
            Tune tune = raw.handshake(0, 0);
            assertThat(tune.frameMax()).isGreaterThanOrEqualTo(4096);
            raw.openChannel(1);
            raw.method(0, 10, 50, new Args().shortUint(200).shortstr("bye").shortUint(0).shortUint(0));
            Frame closeOk = raw.readSkippingHeartbeats();
            assertThat(closeOk.isMethod(10, 51)).as("connection.close-ok, got %s", closeOk).isTrue();
            // The client closes the socket once it has close-ok; the broker waits for that (see
            // ConnectionLifecycleTest.clientCloseWithPublishesStillInFlightGetsCloseOk).
        }
        assertBrokerServes(broker);
    }

    @Test
    void wrongAmqpVersionHeaderIsAnsweredWithTheSupportedHeaderAndTheSocketClosed() throws Exception {
        // AMQP 0-9-1 section 4.2.2: unsupported protocol header => server writes "AMQP" 0 0 9 1 and closes
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.writeRaw(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 8, 0});
            assertThat(raw.readBytes(8)).isEqualTo(AMQP_0_9_1);
            raw.expectEof();
        }
        assertBrokerServes(broker);
    }

    @Test
    void httpRequestLineIsAnsweredWithTheSupportedHeaderAndTheSocketClosed() throws Exception {
        // AMQP 0-9-1 section 4.2.2: a header from another protocol => server writes "AMQP" 0 0 9 1 and closes
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.writeRaw("HTTP/1.1".getBytes(StandardCharsets.US_ASCII));
            assertThat(raw.readBytes(8)).isEqualTo(AMQP_0_9_1);
            raw.expectEof();
        }
        assertBrokerServes(broker);
    }

    @Test
    void badFrameEndOctetIs501FrameErrorThenClose() throws Exception {
        // AMQP 0-9-1 section 4.2.3: frame-end must be %xCE, else connection.close 501 FRAME_ERROR
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.frame(METHOD, 1, new Args().shortUint(20).shortUint(10).shortstr("").bytes(), 0x00);
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(501);
        }
        assertBrokerServes(broker);
    }

    @Test
    void frameOfExactlyTheNegotiatedFrameMaxIsAccepted() throws Exception {
        // AMQP 0-9-1 connection.tune frame-max: the largest frame, header and frame-end included, is allowed
        String q;
        try (Connection c = connect(broker)) {
            q = c.createChannel().queueDeclare(unique("raw.fits"), false, false, false, null).getQueue();
        }
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(4096, 0);
            raw.openChannel(1);
            byte[] body = new byte[4096 - 8];
            Arrays.fill(body, (byte) 'z');
            raw.publish(1, "", q, body);
            raw.openChannel(2); // a synchronous round trip: the publish before it was accepted
        }
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            GetResponse r = getWithin(ch, q, true);
            assertThat(r.getBody()).hasSize(4096 - 8);
            ch.queueDelete(q);
        }
    }

    @Test
    void frameLargerThanTheNegotiatedFrameMaxIs501() throws Exception {
        // AMQP 0-9-1 connection.tune frame-max: a larger frame => connection.close 501 FRAME_ERROR (RabbitMQ: frame_too_large)
        try (Raw raw = new Raw(broker.amqpPort())) {
            Tune tune = raw.handshake(4096, 0);
            assertThat(tune.frameMax()).isGreaterThanOrEqualTo(4096);
            raw.openChannel(1);
            raw.method(1, 60, 40, new Args().shortUint(0).shortstr("").shortstr("any").octet(0));
            raw.contentHeader(1, 5000);
            raw.frame(BODY, 1, new byte[5000], FRAME_END);
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(501);
        }
        assertBrokerServes(broker);
    }

    @Test
    void unknownClassAndMethodIdIs503CommandInvalid() throws Exception {
        // Junction replies connection.close 503 COMMAND_INVALID naming the ids (RabbitMQ drops the socket on an
        // unknown_method_id; 503 is what rabbit_channel answers for methods it does not accept)
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            raw.method(1, 99, 10, new Args());
            Close close = raw.expectConnectionClose();
            assertThat(close.replyCode()).isEqualTo(503);
            assertThat(close.classId()).isEqualTo(99);
            assertThat(close.methodId()).isEqualTo(10);
        }
        assertBrokerServes(broker);
    }

    @Test
    void contentBodyBeforeAnyContentHeaderIs505UnexpectedFrame() throws Exception {
        // AMQP 0-9-1 section 4.2.6: content frames only follow a content-bearing method => 505 UNEXPECTED_FRAME
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            raw.frame(BODY, 1, "orphan body".getBytes(StandardCharsets.US_ASCII), FRAME_END);
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(505);
        }
        assertBrokerServes(broker);
    }

    @Test
    void contentHeaderWithoutAPublishIs505UnexpectedFrame() throws Exception {
        // AMQP 0-9-1 section 4.2.6 (RabbitMQ rabbit_command_assembler): a header where a method is expected => 505
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            raw.contentHeader(1, 3);
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(505);
        }
        assertBrokerServes(broker);
    }

    @Test
    void methodOnAChannelThatWasNeverOpenedIs504ChannelError() throws Exception {
        // RabbitMQ: any method but channel.open on an unopened channel => connection.close 504 CHANNEL_ERROR
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.method(5, 50, 10, new Args().shortUint(0).shortstr("raw.q").octet(0).table());
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(504);
        }
        assertBrokerServes(broker);
    }

    @Test
    void silentClientIsDisconnectedAfterMissedHeartbeats() throws Exception {
        // AMQP 0-9-1 connection.tune heartbeat: a peer silent for ~2 intervals is dead; RabbitMQ closes the socket
        try (Raw raw = new Raw(broker.amqpPort())) {
            raw.socket.setSoTimeout(8000);
            raw.handshake(0, 1);
            long opened = System.nanoTime();
            int heartbeatsSeen = 0;
            while (true) {
                Frame f;
                try {
                    f = raw.read();
                } catch (EOFException | SocketException closed) {
                    break;
                } catch (SocketTimeoutException stillOpen) {
                    fail("the broker kept a silent connection with heartbeat=1 open for 8 s");
                    return;
                }
                if (f.type() == HEARTBEAT) {
                    heartbeatsSeen++;
                }
            }
            long elapsedMs = (System.nanoTime() - opened) / 1_000_000;
            assertThat(elapsedMs).as("closed after %d ms", elapsedMs).isBetween(1000L, 6000L);
            assertThat(heartbeatsSeen).as("the broker sends its own heartbeats meanwhile").isPositive();
        }
        assertBrokerServes(broker);
    }

    // ---- a minimal AMQP 0-9-1 client ----------------------------------------------------------------------------

    record Frame(int type, int channel, byte[] payload) {
        int classId() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        int methodId() {
            return ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        }

        boolean isMethod(int classId, int methodId) {
            return type == METHOD && payload.length >= 4 && classId() == classId && methodId() == methodId;
        }

        @Override
        public String toString() {
            return type == METHOD ? "method " + classId() + "." + methodId() + " on channel " + channel
                    : "frame type " + type + " on channel " + channel;
        }
    }

    record Tune(int channelMax, int frameMax, int heartbeat) {
    }

    record Close(int replyCode, String replyText, int classId, int methodId) {
    }

    /** Method arguments, written in wire order. */
    static final class Args {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buf);

        Args octet(int v) throws IOException {
            out.writeByte(v);
            return this;
        }

        Args shortUint(int v) throws IOException {
            out.writeShort(v);
            return this;
        }

        Args longUint(int v) throws IOException {
            out.writeInt(v);
            return this;
        }

        Args longlong(long v) throws IOException {
            out.writeLong(v);
            return this;
        }

        Args shortstr(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeByte(b.length);
            out.write(b);
            return this;
        }

        Args longstr(byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
            return this;
        }

        /** An empty field table. */
        Args table() throws IOException {
            out.writeInt(0);
            return this;
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }

    static final class Raw implements Closeable {
        final Socket socket;
        private final DataInputStream in;
        private final DataOutputStream out;

        Raw(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = new DataOutputStream(socket.getOutputStream());
        }

        void writeRaw(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        byte[] readBytes(int n) throws IOException {
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        void frame(int type, int channel, byte[] payload, int frameEnd) throws IOException {
            ByteBuffer f = ByteBuffer.allocate(8 + payload.length);
            f.put((byte) type).putShort((short) channel).putInt(payload.length).put(payload).put((byte) frameEnd);
            writeRaw(f.array());
        }

        void method(int channel, int classId, int methodId, Args args) throws IOException {
            byte[] a = args.bytes();
            ByteBuffer p = ByteBuffer.allocate(4 + a.length);
            p.putShort((short) classId).putShort((short) methodId).put(a);
            frame(METHOD, channel, p.array(), FRAME_END);
        }

        /** A basic content header with no properties. */
        void contentHeader(int channel, long bodySize) throws IOException {
            frame(HEADER, channel, new Args().shortUint(60).shortUint(0).longlong(bodySize).shortUint(0).bytes(),
                    FRAME_END);
        }

        void publish(int channel, String exchange, String routingKey, byte[] body) throws IOException {
            method(channel, 60, 40, new Args().shortUint(0).shortstr(exchange).shortstr(routingKey).octet(0));
            contentHeader(channel, body.length);
            frame(BODY, channel, body, FRAME_END);
        }

        Frame read() throws IOException {
            int type = in.readUnsignedByte();
            int channel = in.readUnsignedShort();
            int size = in.readInt();
            byte[] payload = readBytes(size);
            int end = in.readUnsignedByte();
            assertThat(end).as("frame-end octet from the broker").isEqualTo(FRAME_END);
            return new Frame(type, channel, payload);
        }

        Frame readSkippingHeartbeats() throws IOException {
            Frame f;
            do {
                f = read();
            } while (f.type() == HEARTBEAT);
            return f;
        }

        Frame expectMethod(int classId, int methodId) throws IOException {
            Frame f = readSkippingHeartbeats();
            if (!f.isMethod(classId, methodId)) {
                String detail = f.isMethod(10, 50) ? " (connection.close " + parseClose(f) + ")" : "";
                fail("expected method " + classId + "." + methodId + ", got " + f + detail);
            }
            return f;
        }

        /**
         * The handshake a client performs: SASL PLAIN as guest on vhost "/", then tune-ok with the given frame-max
         * (0 = accept the broker's) and heartbeat.
         */
        Tune handshake(int frameMax, int heartbeat) throws IOException {
            return handshake("guest", "guest", "/", frameMax, heartbeat);
        }

        /** The handshake as {@code user} into {@code vhost}. */
        Tune handshake(String user, String password, String vhost, int frameMax, int heartbeat) throws IOException {
            writeRaw(AMQP_0_9_1);
            Frame start = expectMethod(10, 10);
            assertThat(start.payload()[4]).as("version-major").isEqualTo((byte) 0);
            assertThat(start.payload()[5]).as("version-minor").isEqualTo((byte) 9);
            method(0, 10, 11, new Args().table().shortstr("PLAIN")
                    .longstr(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)).shortstr("en_US"));
            ByteBuffer t = ByteBuffer.wrap(expectMethod(10, 30).payload(), 4, 8);
            Tune tune = new Tune(t.getShort() & 0xffff, t.getInt(), t.getShort() & 0xffff);
            int agreedFrameMax = frameMax == 0 ? tune.frameMax() : frameMax;
            method(0, 10, 31, new Args().shortUint(tune.channelMax()).longUint(agreedFrameMax).shortUint(heartbeat));
            method(0, 10, 40, new Args().shortstr(vhost).shortstr("").octet(0));
            expectMethod(10, 41);
            return tune;
        }

        void openChannel(int channel) throws IOException {
            method(channel, 20, 10, new Args().shortstr(""));
            Frame ok = expectMethod(20, 11);
            assertThat(ok.channel()).isEqualTo(channel);
        }

        static Close parseClose(Frame f) {
            ByteBuffer b = ByteBuffer.wrap(f.payload(), 4, f.payload().length - 4);
            int code = b.getShort() & 0xffff;
            byte[] text = new byte[b.get() & 0xff];
            b.get(text);
            return new Close(code, new String(text, StandardCharsets.UTF_8), b.getShort() & 0xffff,
                    b.getShort() & 0xffff);
        }

        /** Reads up to connection.close on channel 0, answers close-ok and expects the broker to close the socket. */
        Close expectConnectionClose() throws IOException {
            Frame f = expectMethod(10, 50);
            assertThat(f.channel()).isZero();
            Close close = parseClose(f);
            try {
                method(0, 10, 51, new Args());
            } catch (IOException alreadyClosed) {
                // The broker need not wait for close-ok.
            }
            expectEof();
            return close;
        }

        /** The broker closes the socket: end of stream (or a reset) within the socket timeout. */
        void expectEof() throws IOException {
            try {
                while (in.read() != -1) {
                    // Anything after the close is ignored, as the spec asks of the peer.
                }
            } catch (SocketException reset) {
                // A reset is a close too.
            } catch (SocketTimeoutException e) {
                fail("the broker did not close the socket");
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
