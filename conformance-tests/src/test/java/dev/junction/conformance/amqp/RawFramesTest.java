package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertBrokerServes;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static dev.junction.conformance.amqp.RawAmqp.AMQP_0_9_1;
import static dev.junction.conformance.amqp.RawAmqp.BODY;
import static dev.junction.conformance.amqp.RawAmqp.FRAME_END;
import static dev.junction.conformance.amqp.RawAmqp.HEARTBEAT;
import static dev.junction.conformance.amqp.RawAmqp.METHOD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.amqp.RawAmqp.Args;
import dev.junction.conformance.amqp.RawAmqp.Close;
import dev.junction.conformance.amqp.RawAmqp.Frame;
import dev.junction.conformance.amqp.RawAmqp.Tune;
import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
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
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void handshakeByHandThenCleanCloseWorks() throws Exception {
        // AMQP 0-9-1 connection class: start/start-ok/tune/tune-ok/open/open-ok, then close/close-ok
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.writeRaw(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 8, 0});
            assertThat(raw.readBytes(8)).isEqualTo(AMQP_0_9_1);
            raw.expectEof();
        }
        assertBrokerServes(broker);
    }

    @Test
    void httpRequestLineIsAnsweredWithTheSupportedHeaderAndTheSocketClosed() throws Exception {
        // AMQP 0-9-1 section 4.2.2: a header from another protocol => server writes "AMQP" 0 0 9 1 and closes
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.writeRaw("HTTP/1.1".getBytes(StandardCharsets.US_ASCII));
            assertThat(raw.readBytes(8)).isEqualTo(AMQP_0_9_1);
            raw.expectEof();
        }
        assertBrokerServes(broker);
    }

    @Test
    void badFrameEndOctetIs501FrameErrorThenClose() throws Exception {
        // AMQP 0-9-1 section 4.2.3: frame-end must be %xCE, else connection.close 501 FRAME_ERROR
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.method(5, 50, 10, new Args().shortUint(0).shortstr("raw.q").octet(0).table());
            assertThat(raw.expectConnectionClose().replyCode()).isEqualTo(504);
        }
        assertBrokerServes(broker);
    }

    @Test
    void silentClientIsDisconnectedAfterMissedHeartbeats() throws Exception {
        // AMQP 0-9-1 connection.tune heartbeat: a peer silent for ~2 intervals is dead; RabbitMQ closes the socket
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
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
}
