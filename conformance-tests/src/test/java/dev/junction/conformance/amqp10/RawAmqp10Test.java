package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.BrokerConfig;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.qpid.proton.engine.EndpointState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile or unusual input on the AMQP 1.0 side of the shared port (docs/amqp10.md, "Limits"). */
class RawAmqp10Test {
    private static final byte[] AMQP_1_0 = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    private static final byte[] SASL = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    /** A broker whose sessions are limited to 4 per connection (channel_max 4: channels 0 to 3). */
    @RegisterExtension
    static final Amqp10Support fewSessions = Amqp10Support.perClass(BrokerConfig.standard()
            .withLimits("  channel_max: 4\n"));

    /** A broker whose idle-timeout is one second (its AMQP heartbeat setting). */
    @RegisterExtension
    static final Amqp10Support idle = Amqp10Support.perClass(BrokerConfig.standard().withHeartbeat(1));

    /** Part 2 section 2.2: a header the server does not accept is answered with one it does, then close. */
    @Test
    void withoutSaslTheServerAnswersWithTheSaslHeaderAndCloses() throws Exception {
        try (Socket s = new Socket("127.0.0.1", broker.amqpPort())) {
            s.setSoTimeout(RawAmqp10.READ_BOUND_MS);
            s.getOutputStream().write(AMQP_1_0);
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(8)).isEqualTo(SASL);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    /**
     * A SASL frame (type 1) whose body is the described {@code sasl-init} (0x41) with a constructor no AMQP type has
     * (0xff): it does not decode [AMQP 1.0 part 1 section 1.2, part 5 section 5.3.1]. SASL frames carry no error
     * condition, so the server answers with the outcome {@code sys-perm} (code 3, an unrecoverable error, part 5
     * section 5.3.3.6) and closes at once, well before its handshake timeout (10 s, above the read bound here).
     */
    @Test
    void aMalformedSaslFrameGetsTheOutcomeSysPermAndTheSocketClosesAtOnce() throws Exception {
        try (Socket s = new Socket("127.0.0.1", broker.amqpPort())) {
            s.setSoTimeout(RawAmqp10.READ_BOUND_MS);
            s.getOutputStream().write(SASL);
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(8)).isEqualTo(SASL);
            byte[] size = in.readNBytes(4);
            in.readNBytes(ByteBuffer.wrap(size).getInt() - 4); // sasl-mechanisms
            s.getOutputStream().write(new byte[] {0, 0, 0, 20, 2, 1, 0, 0, 0x00, 0x53, 0x41, (byte) 0xff,
                0, 0, 0, 0, 0, 0, 0, 0});
            byte[] rest = in.readAllBytes(); // to the end of the stream: the read bound fails it if none comes
            // first a sasl-outcome frame: size, doff 2, type 1, channel; 0x00 0x53 0x44, a list ending in code 3
            assertThat(rest.length).isGreaterThan(8);
            int frame = ByteBuffer.wrap(rest).getInt();
            assertThat(rest[5]).as("a SASL frame").isEqualTo((byte) 1);
            assertThat(Arrays.copyOfRange(rest, 8, 11)).isEqualTo(new byte[] {0x00, 0x53, 0x44});
            assertThat(Arrays.copyOfRange(rest, frame - 2, frame)).as("code sys-perm").isEqualTo(new byte[] {0x50, 3});
        }
    }

    @Test
    void aMalformedFrameClosesTheConnectionWithAnError() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            // a frame of 12 bytes whose body is a described "open" with a constructor no type has (0xff)
            raw.writeRaw(new byte[] {0, 0, 0, 12, 2, 0, 0, 0, 0x00, 0x53, 0x10, (byte) 0xff});
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition()).isNotNull();
            assertThat(raw.connection.getRemoteCondition().getCondition().toString()).isEqualTo("amqp:decode-error");
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @Test
    void aFrameOverTheMaxFrameSizeClosesTheConnection() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            long max = raw.transport.getRemoteMaxFrameSize();
            assertThat(max).isGreaterThanOrEqualTo(512);
            int size = (int) max + 8;
            // Only the frame header, announcing the oversized frame: the size alone decides (part 2 section 2.3.1),
            // and the server closes at once, so writing the whole body could meet a reset socket half way.
            byte[] header = new byte[8];
            header[0] = (byte) (size >>> 24);
            header[1] = (byte) (size >>> 16);
            header[2] = (byte) (size >>> 8);
            header[3] = (byte) size;
            header[4] = 2;
            raw.writeRaw(header);
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition().getCondition().toString())
                    .isEqualTo("amqp:connection:framing-error");
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    /** Part 2 section 2.4.5: a peer silent for longer than the idle-timeout this side sent is closed. */
    @Test
    void aSilentPeerIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(idle.amqpPort()).login("guest", "guest")) {
            // proton-j advertises half the timeout it enforces, leaving the peer room for latency
            assertThat(raw.transport.getRemoteIdleTimeout()).isEqualTo(500);
            long start = System.nanoTime();
            // the raw client never ticks its transport, so it sends nothing more
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition().getCondition().toString())
                    .isEqualTo("amqp:resource-limit-exceeded");
            assertThat(System.nanoTime() - start).isGreaterThan(500_000_000L);
            assertThat(raw.serverClosed()).isTrue();
        }
    }

    @Test
    void sessionsPastTheChannelMaxCloseTheConnection() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(fewSessions.amqpPort()).login("guest", "guest")) {
            assertThat(raw.transport.getRemoteChannelMax()).isEqualTo(3);
            for (int i = 0; i < 4; i++) {
                raw.connection.session().open();
            }
            raw.pumpFor(300);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            raw.connection.session().open(); // a fifth, on channel 4: above the channel-max [part 2 section 2.7.1]
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition().getCondition().toString())
                    .isEqualTo("amqp:connection:framing-error");
        }
    }

    /**
     * Part 2 section 2.7.1: channel-max is the highest channel the peer may use, so a {@code begin} on a channel above
     * it breaks the framing even when it is the connection's only session: the connection closes with
     * {@code amqp:connection:framing-error} instead of the session being answered.
     */
    @Test
    void aBeginOnAChannelAboveTheChannelMaxClosesTheConnectionWithAFramingError() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(fewSessions.amqpPort()).login("guest", "guest")) {
            assertThat(raw.transport.getRemoteChannelMax()).isEqualTo(3);
            // a begin frame on channel 7: described begin (0x11) with remote-channel null, next-outgoing-id 0,
            // incoming-window and outgoing-window 2048
            raw.writeRaw(new byte[] {0, 0, 0, 26, 2, 0, 0, 7, 0x00, 0x53, 0x11, (byte) 0xc0, 13, 4, 0x40, 0x43,
                0x70, 0, 0, 8, 0, 0x70, 0, 0, 8, 0});
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition().getCondition().toString())
                    .isEqualTo("amqp:connection:framing-error");
        }
    }

    @Test
    void aRefusedLoginGetsItsOutcomeAndTheSocketCloses() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort())) {
            raw.login("guest", "not-the-password");
            assertThat(raw.transport.sasl().getOutcome())
                    .isEqualTo(org.apache.qpid.proton.engine.Sasl.SaslOutcome.PN_SASL_AUTH);
            assertThat(raw.serverClosed()).isTrue();
        }
    }
}
