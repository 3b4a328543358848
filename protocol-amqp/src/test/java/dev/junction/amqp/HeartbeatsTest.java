package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.HeartbeatFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heartbeats on an embedded connection, on the embedded channel's own clock [AMQP 0-9-1 4.2.7]. */
class HeartbeatsTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void theServerSendsAHeartbeatWhenItHasBeenSilentForHalfAnInterval() {
        amqp.handshake(2);
        amqp.advanceTime(1_100);
        assertThat(amqp.next()).isEqualTo(new HeartbeatFrame(0));
        assertThat(amqp.socketOpen()).isTrue();
    }

    @Test
    void aClientSilentForTwoIntervalsIsGone() {
        amqp.handshake(2);
        amqp.advanceTime(4_100);
        assertThat(amqp.socketOpen()).isFalse();
    }

    @Test
    void withoutNegotiatedHeartbeatsSilenceIsAllowed() {
        amqp.handshake(0);
        amqp.advanceTime(600_000);
        assertThat(amqp.silent(20)).isTrue();
        assertThat(amqp.socketOpen()).isTrue();
    }

    @Test
    void aHeartbeatOnAnotherChannelThanZeroIsAnUnexpectedFrame() {
        // [AMQP 0-9-1 4.2.7] heartbeat frames belong to channel 0.
        amqp.handshake();
        amqp.write(new byte[] {8, 0, 1, 0, 0, 0, 0, (byte) 0xCE});
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.UNEXPECTED_FRAME);
    }
}
