package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection handshake on an embedded connection [AMQP 0-9-1 2.2.4 the connection class]: protocol header,
 * start / start-ok, tune / tune-ok, open / open-ok, and the refusals along the way.
 */
class HandshakeTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void theProtocolHeaderIsAnsweredWithConnectionStart() {
        // [AMQP 0-9-1 4.2.2] the client opens with the protocol header; the server answers with connection.start,
        // which names the protocol version and the security mechanisms it offers [AMQP 0-9-1 connection.start].
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        Method start = amqp.expect(0, MethodType.CONNECTION_START);
        assertThat(start.integer("version-major")).isZero();
        assertThat(start.integer("version-minor")).isEqualTo(9);
        assertThat(start.str("mechanisms").split(" ")).contains("PLAIN", "AMQPLAIN");
        assertThat(start.str("locales")).isEqualTo("en_US");
        assertThat(start.table("server-properties")).containsKey("capabilities");
    }

    @Test
    void anotherProtocolHeaderIsAnsweredWithOursAndTheSocketCloses() {
        // [AMQP 0-9-1 4.2.2] a server that does not accept the header writes a valid one and closes the socket.
        amqp.write("AMQP\0\0\u0008\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(amqp.raw()).isEqualTo(AmqpEncoder.PROTOCOL_HEADER);
        assertThat(amqp.socketOpen()).isFalse();
    }

    @Test
    void startOkTuneOkAndOpenOpenTheConnection() {
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        amqp.send(0, MethodType.CONNECTION_START_OK.with(Map.of(), "PLAIN",
                EmbeddedAmqp.plain(EmbeddedAmqp.USER, EmbeddedAmqp.PASSWORD), "en_US"));
        // [AMQP 0-9-1 connection.tune] the server proposes its limits once the client is authenticated.
        Method tune = amqp.expect(0, MethodType.CONNECTION_TUNE);
        assertThat(tune.integer("channel-max")).isEqualTo(EmbeddedAmqp.CHANNEL_MAX);
        assertThat(tune.longValue("frame-max")).isEqualTo(EmbeddedAmqp.FRAME_MAX);
        assertThat(tune.integer("heartbeat")).isEqualTo(EmbeddedAmqp.HEARTBEAT);
        amqp.send(0, MethodType.CONNECTION_TUNE_OK.with(16, 8192, 0));
        amqp.send(0, MethodType.CONNECTION_OPEN.with("/", "", false));
        amqp.expect(0, MethodType.CONNECTION_OPEN_OK);
        // The negotiated channel-max (16, below the server's offer) now bounds channel numbers.
        amqp.openChannel(16);
        amqp.send(17, MethodType.CHANNEL_OPEN.with(""));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_ALLOWED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.CHANNEL_OPEN.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.CHANNEL_OPEN.methodId());
    }

    @Test
    void aRefusedLoginClosesWithAccessRefusedForAClientThatAsksForIt() {
        // RabbitMQ's authentication_failure_close capability: connection.close 403 naming start-ok, instead of
        // dropping the socket [AMQP 0-9-1 reply code access-refused].
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        amqp.send(0, MethodType.CONNECTION_START_OK.with(
                Map.of("capabilities", Map.of("authentication_failure_close", true)), "PLAIN",
                EmbeddedAmqp.plain(EmbeddedAmqp.USER, "wrong"), "en_US"));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.ACCESS_REFUSED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.CONNECTION_START_OK.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.CONNECTION_START_OK.methodId());
    }

    @Test
    void aFrameMaxAboveTheServersOfferIsNotAllowed() {
        // [AMQP 0-9-1 connection.tune-ok frame-max] the client may lower the server's frame-max, never raise it.
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        amqp.send(0, MethodType.CONNECTION_START_OK.with(Map.of(), "PLAIN",
                EmbeddedAmqp.plain(EmbeddedAmqp.USER, EmbeddedAmqp.PASSWORD), "en_US"));
        amqp.expect(0, MethodType.CONNECTION_TUNE);
        amqp.send(0, MethodType.CONNECTION_TUNE_OK.with(0, EmbeddedAmqp.FRAME_MAX + 1, 0));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_ALLOWED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.CONNECTION_TUNE_OK.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.CONNECTION_TUNE_OK.methodId());
    }

    @Test
    void openBeforeTuneOkIsOutOfOrder() {
        // [AMQP 0-9-1 2.2.4] the handshake's methods come in one order; anything else is a hard error.
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        amqp.send(0, MethodType.CONNECTION_START_OK.with(Map.of(), "PLAIN",
                EmbeddedAmqp.plain(EmbeddedAmqp.USER, EmbeddedAmqp.PASSWORD), "en_US"));
        amqp.expect(0, MethodType.CONNECTION_TUNE);
        amqp.send(0, MethodType.CONNECTION_OPEN.with("/", "", false));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.COMMAND_INVALID);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.CONNECTION_OPEN.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.CONNECTION_OPEN.methodId());
    }

    @Test
    void aChannelBeforeConnectionOpenIsRefused() {
        // Channels exist only on an open connection [AMQP 0-9-1 2.2.5 the channel class].
        amqp.write(AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        amqp.send(1, MethodType.CHANNEL_OPEN.with(""));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.COMMAND_INVALID);
    }

    @Test
    void closeIsAnsweredWithCloseOkAndNothingFollows() {
        // [AMQP 0-9-1 connection.close-ok] close-ok is the last frame the server sends.
        amqp.handshake();
        amqp.send(0, MethodType.CONNECTION_CLOSE.with(ReplyCode.REPLY_SUCCESS, "bye", 0, 0));
        amqp.expect(0, MethodType.CONNECTION_CLOSE_OK);
        amqp.send(1, MethodType.CHANNEL_OPEN.with(""));
        assertThat(amqp.silent(50)).isTrue();
    }
}
