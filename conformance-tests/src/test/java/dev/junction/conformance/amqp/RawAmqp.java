package dev.junction.conformance.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A minimal AMQP 0-9-1 client on a plain socket, for tests that write the wire protocol byte by byte (framing
 * errors, handshake limits, heartbeats) where a stock client would refuse to. Frame layout, method ids and the
 * handshake order are those of the AMQP 0-9-1 specification, sections 4.2.3 to 4.2.6.
 */
final class RawAmqp implements Closeable {
    static final byte[] AMQP_0_9_1 = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    static final int METHOD = 1;
    static final int HEADER = 2;
    static final int BODY = 3;
    static final int HEARTBEAT = 8;
    static final int FRAME_END = 0xCE;
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

    final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    RawAmqp(int port) throws IOException {
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
