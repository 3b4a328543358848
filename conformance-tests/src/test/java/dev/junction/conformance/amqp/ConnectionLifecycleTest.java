package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertBrokerServes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static dev.junction.conformance.amqp.RawAmqp.BODY;
import static dev.junction.conformance.amqp.RawAmqp.FRAME_END;
import static dev.junction.conformance.amqp.RawAmqp.HEADER;
import static dev.junction.conformance.amqp.RawAmqp.HEARTBEAT;
import static dev.junction.conformance.amqp.RawAmqp.METHOD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.amqp.RawAmqp.Args;
import dev.junction.conformance.amqp.RawAmqp.Frame;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Connection-level behaviour: negotiation limits, heartbeats, closing, server properties. */
@Timeout(60)
class ConnectionLifecycleTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void startOkLargerThanTheMinimumFrameSizeBeforeTuneIs501() throws Exception {
        // AMQP 0-9-1 frame-min-size (4096): until connection.tune-ok has agreed a frame_max, frames are limited to
        // it, so a start-ok with an oversized client-properties table is a framing error (RabbitMQ: frame_too_large)
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.writeRaw(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
            raw.expectMethod(10, 10);
            byte[] pad = new byte[5000];
            java.util.Arrays.fill(pad, (byte) 'p');
            byte[] table = new Args().shortstr("pad").octet('S').longstr(pad).bytes();
            Args startOk = new Args().longUint(table.length);
            raw.method(0, 10, 11, append(startOk, table).shortstr("PLAIN")
                    .longstr("\0guest\0guest".getBytes(StandardCharsets.UTF_8)).shortstr("en_US"));
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(501);
        }
        assertBrokerServes(broker);
    }

    private static Args append(Args args, byte[] raw) throws IOException {
        for (byte b : raw) {
            args.octet(b);
        }
        return args;
    }

    @Test
    void heartbeatFrameOnANonZeroChannelIs505UnexpectedFrame() throws Exception {
        // AMQP 0-9-1 4.2.7: heartbeat frames belong to channel 0; RabbitMQ closes with 505 UNEXPECTED_FRAME
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            raw.frame(HEARTBEAT, 1, new byte[0], FRAME_END);
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(505);
        }
        assertBrokerServes(broker);
    }

    @Test
    void brokerSendsHeartbeatsAtHalfTheNegotiatedInterval() throws Exception {
        // RabbitMQ sends heartbeats at half the negotiated interval, so a client that wants a frame within every
        // interval (AMQP 0-9-1 4.2.7 allows it to close after one missed) keeps the connection. Gaps between our
        // heartbeats only grow on a loaded machine, so the shortest of several gaps is compared with the interval.
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.socket.setSoTimeout(10_000);
            raw.handshake(0, 2);
            List<Long> seen = new ArrayList<>();
            while (seen.size() < 5) {
                Frame f = raw.read();
                if (f.type() == HEARTBEAT) {
                    seen.add(System.nanoTime());
                    raw.frame(HEARTBEAT, 0, new byte[0], FRAME_END); // stay alive
                }
            }
            long shortestGapMs = Long.MAX_VALUE;
            for (int i = 1; i < seen.size(); i++) {
                shortestGapMs = Math.min(shortestGapMs, TimeUnit.NANOSECONDS.toMillis(seen.get(i) - seen.get(i - 1)));
            }
            assertThat(shortestGapMs).as("shortest gap between broker heartbeats, interval 2000 ms")
                    .isLessThan(1500);
        }
    }

    @Test
    void clientCloseWithPublishesStillInFlightGetsCloseOk() throws Exception {
        // AMQP 0-9-1 connection.close: after close-ok the server discards what the client still sends until the
        // client closes the socket; closing at once with unread input resets the connection and the client never
        // reads close-ok (RabbitMQ keeps reading in its closing state)
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.write(frame(METHOD, 0, method(10, 50, new Args().shortUint(200).shortstr("bye").shortUint(0)
                    .shortUint(0))));
            byte[] body = new byte[4000];
            for (int i = 0; i < 2000; i++) {
                burst.write(frame(METHOD, 1, method(60, 40, new Args().shortUint(0).shortstr("")
                        .shortstr("nowhere").octet(0))));
                burst.write(frame(HEADER, 1, new Args().shortUint(60).shortUint(0).longlong(body.length)
                        .shortUint(0).bytes()));
                burst.write(frame(BODY, 1, body));
            }
            java.util.concurrent.atomic.AtomicReference<IOException> writeFailure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    raw.writeRaw(burst.toByteArray());
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            writer.start();
            try {
                Frame f = raw.readSkippingHeartbeats();
                assertThat(f.isMethod(10, 51)).as("connection.close-ok, got %s", f).isTrue();
            } catch (SocketException | EOFException e) {
                fail("the connection ended before close-ok arrived: " + e);
            } finally {
                writer.join(TimeUnit.SECONDS.toMillis(20));
            }
            assertThat(writer.isAlive()).as("the broker reads (and discards) what follows the close").isFalse();
            assertThat(writeFailure.get()).as("writing what was in flight fails (EPIPE / reset)").isNull();
        }
        assertBrokerServes(broker);
    }

    @Test
    void missedHeartbeatsResetAConnectionWhoseClientStoppedReading() throws Exception {
        // AMQP 0-9-1 4.2.7: a peer silent for two intervals is dead. The broker must not queue its close behind
        // deliveries the client has not read: the client would only learn after reading all of them, or never.
        String q;
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            q = ch.queueDeclare(unique("hb.unread"), false, false, false, null).getQueue();
            byte[] body = new byte[8192];
            for (int i = 0; i < 2000; i++) {
                ch.basicPublish("", q, null, body);
            }
            ch.waitForConfirmsOrDie(20_000);
        }
        try (RawAmqp raw = new RawAmqp(broker.amqpPort()); Connection observer = connect(broker)) {
            raw.handshake(0, 1);
            raw.openChannel(1);
            raw.method(1, 60, 20, new Args().shortUint(0).shortstr(q).shortstr("").octet(2).table()); // no-ack
            raw.expectMethod(60, 21);
            // Neither reading nor sending from now on. The broker's end of the connection is gone when its consumer
            // is: wait for that (no time limit is asserted; the heartbeat interval is 1 s).
            Channel watch = observer.createChannel();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (watch.queueDeclarePassive(q).getConsumerCount() > 0) {
                if (System.nanoTime() > deadline) {
                    fail("the broker kept a silent heartbeat=1 connection for 30 s");
                }
                Thread.sleep(50);
            }
            InputStream in = raw.socket.getInputStream();
            byte[] buf = new byte[65536];
            long read = 0;
            try {
                int n;
                while ((n = in.read(buf)) != -1) {
                    read += n;
                }
                fail("the close waited behind " + read + " bytes of unread deliveries (orderly end of stream)");
            } catch (SocketException reset) {
                // The connection was reset: the client learns at once, whatever it had not read is dropped.
                assertThat(reset.getMessage()).containsIgnoringCase("reset");
            }
            watch.queueDelete(q);
        }
        assertBrokerServes(broker);
    }

    @Test
    void serverPropertiesReportAComparableRabbitMqVersionAndProductJunction() throws Exception {
        // RabbitMQ clients compare server-properties.version to gate features; Junction behaves as RabbitMQ 3.13+
        // (dead-lettering keeps CC), so it reports such a version, and product names Junction.
        try (Connection c = connect(broker)) {
            assertThat(String.valueOf(c.getServerProperties().get("product"))).isEqualTo("Junction");
            String version = String.valueOf(c.getServerProperties().get("version"));
            assertThat(version).matches("\\d+\\.\\d+\\.\\d+");
            String[] parts = version.split("\\.");
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            assertThat(major == 3 && minor >= 13).as("version %s is RabbitMQ 3.13 or later in the 3.x line", version)
                    .isTrue();
        }
    }

    private static byte[] method(int classId, int methodId, Args args) {
        byte[] a = args.bytes();
        return ByteBuffer.allocate(4 + a.length).putShort((short) classId).putShort((short) methodId).put(a).array();
    }

    private static byte[] frame(int type, int channel, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).put((byte) type).putShort((short) channel)
                .putInt(payload.length).put(payload).put((byte) FRAME_END).array();
    }
}
