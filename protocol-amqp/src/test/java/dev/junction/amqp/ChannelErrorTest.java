package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.QueueSpec;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How an engine refusal reaches the client: {@link AmqpChannel}'s one translation of a {@code BrokerException} into a
 * soft error (channel.close, 403-406) or a hard error (connection.close, 5xx), naming the method that caused it.
 */
class ChannelErrorTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();

    @BeforeEach
    void open() {
        amqp.handshake();
        amqp.openChannel(1);
        amqp.openChannel(2);
    }

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void aMissingQueueClosesOnlyTheChannelThatAskedForIt() {
        // [AMQP 0-9-1 reply code not-found] is a soft error: channel.close names basic.consume, the connection
        // and its other channels go on.
        amqp.send(1, MethodType.BASIC_CONSUME.with(0, "missing", "", false, false, false, false, Map.of()));
        Method close = amqp.expect(1, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_FOUND);
        assertThat(close.str("reply-text")).startsWith("NOT_FOUND - ").contains("missing");
        assertThat(close.integer("class-id")).isEqualTo(MethodType.BASIC_CONSUME.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.BASIC_CONSUME.methodId());

        amqp.send(2, MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, false, Map.of()));
        amqp.expect(2, MethodType.QUEUE_DECLARE_OK);
    }

    @Test
    void aClosingChannelIgnoresEverythingButCloseOk() {
        // [AMQP 0-9-1 channel.close] after sending close, the peer discards any method but close and close-ok;
        // close-ok frees the channel number for a new channel.open.
        amqp.send(1, MethodType.QUEUE_DELETE.with(0, "", false, false, false));
        Method close = amqp.expect(1, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_FOUND);
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "ignored", false, false, false, false, false, Map.of()));
        assertThat(amqp.silent(50)).as("nothing answers the discarded declare").isTrue();
        assertThat(amqp.engine.vhost("/").orElseThrow().queue("ignored")).isEmpty();

        amqp.send(1, MethodType.CHANNEL_CLOSE_OK.with());
        amqp.openChannel(1);
    }

    @Test
    void anExclusiveQueueOfAnotherConnectionIsResourceLocked() {
        // [AMQP 0-9-1 queue.declare exclusive] an exclusive queue is for its declaring connection only; using it
        // from another is 405 RESOURCE_LOCKED, a soft error.
        amqp.engine.vhost("/").orElseThrow().declareQueue(
                new QueueSpec("theirs", false, true, false, Map.of()), new Object(), false);
        amqp.send(1, MethodType.BASIC_CONSUME.with(0, "theirs", "c", false, false, false, false, Map.of()));
        Method close = amqp.expect(1, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.RESOURCE_LOCKED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.BASIC_CONSUME.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.BASIC_CONSUME.methodId());
    }

    @Test
    void aSecondChannelOpenIsAHardChannelError() {
        // [AMQP 0-9-1 reply code channel-error] opening an open channel closes the connection, naming channel.open.
        amqp.send(1, MethodType.CHANNEL_OPEN.with(""));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.CHANNEL_ERROR);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.CHANNEL_OPEN.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.CHANNEL_OPEN.methodId());
        // Only close-ok matters now [AMQP 0-9-1 connection.close]; it ends the connection.
        amqp.send(2, MethodType.QUEUE_DECLARE.with(0, "late", false, false, false, false, false, Map.of()));
        amqp.send(0, MethodType.CONNECTION_CLOSE_OK.with());
        assertThat(amqp.silent(50)).isTrue();
        assertThat(amqp.socketOpen()).isFalse();
        assertThat(amqp.engine.vhost("/").orElseThrow().queue("late")).isEmpty();
    }

    @Test
    void anEngineRefusalOfTheCommandInvalidKindIsAHardError() {
        // An unknown exchange type is 503 COMMAND_INVALID, a hard error [AMQP 0-9-1 reply code command-invalid]:
        // connection.close names exchange.declare.
        amqp.send(1, MethodType.EXCHANGE_DECLARE.with(0, "x", "x-nonsense", false, false, false, false, false,
                Map.of()));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.COMMAND_INVALID);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.EXCHANGE_DECLARE.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.EXCHANGE_DECLARE.methodId());
    }

    @Test
    void anImmediatePublishIsNotImplemented() {
        // immediate=true is refused with 540 NOT_IMPLEMENTED, a hard error [AMQP 0-9-1 reply code
        // not-implemented], as RabbitMQ does since 3.0.
        amqp.send(1, MethodType.BASIC_PUBLISH.with(0, "", "q", false, true));
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_IMPLEMENTED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.BASIC_PUBLISH.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.BASIC_PUBLISH.methodId());
    }

    @Test
    void aMissingQueueIsReportedBeforeAnInvalidConsumerPriority() {
        // The queue is looked up before the arguments: 404 for a missing queue, 406 for a bad x-priority on one
        // that exists (RabbitMQ: "expected integer").
        Map<String, Object> badPriority = Map.of("x-priority", "high");
        amqp.send(1, MethodType.BASIC_CONSUME.with(0, "missing", "", false, false, false, false, badPriority));
        assertThat(amqp.expect(1, MethodType.CHANNEL_CLOSE).integer("reply-code")).isEqualTo(ReplyCode.NOT_FOUND);

        amqp.send(2, MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, false, Map.of()));
        amqp.expect(2, MethodType.QUEUE_DECLARE_OK);
        amqp.send(2, MethodType.BASIC_CONSUME.with(0, "q", "", false, false, false, false, badPriority));
        Method close = amqp.expect(2, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.PRECONDITION_FAILED);
        assertThat(close.str("reply-text")).contains("x-priority");
    }
}
