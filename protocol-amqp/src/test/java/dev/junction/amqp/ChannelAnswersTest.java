package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.AmqpEncoder;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link AmqpChannel} answers what its parts return: the ok method goes out unless the method asked for
 * nowait, a method without a nowait field is always answered, and the queue a declare names becomes the channel's
 * last queue either way [AMQP 0-9-1 queue-name]. A refusal found while a publish's content completes names
 * basic.publish.
 */
class ChannelAnswersTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();

    @BeforeEach
    void open() {
        amqp.handshake();
        amqp.openChannel(1);
    }

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void aNowaitDeclareIsNotAnsweredButItsQueueIsTheChannelsLastQueue() {
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "quiet", false, false, false, false, true, Map.of()));
        // An empty queue name means the queue declared last [AMQP 0-9-1 queue-name]; purge-ok is the first answer.
        amqp.send(1, MethodType.QUEUE_PURGE.with(0, "", false));
        Method first = amqp.expect(1, MethodType.QUEUE_PURGE_OK);
        assertThat(first.longValue("message-count")).isZero();
        assertThat(amqp.engine.vhost("/").orElseThrow().queue("quiet")).isPresent();
    }

    @Test
    void aNowaitPurgeIsNotAnsweredEither() {
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, false, Map.of()));
        amqp.expect(1, MethodType.QUEUE_DECLARE_OK);
        amqp.send(1, MethodType.QUEUE_PURGE.with(0, "q", true));
        assertThat(amqp.silent(50)).as("no purge-ok after nowait").isTrue();
    }

    @Test
    void queueUnbindHasNoNowaitAndIsAlwaysAnswered() {
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, false, Map.of()));
        amqp.expect(1, MethodType.QUEUE_DECLARE_OK);
        amqp.send(1, MethodType.QUEUE_UNBIND.with(0, "q", "amq.direct", "k", Map.of()));
        amqp.expect(1, MethodType.QUEUE_UNBIND_OK);
    }

    @Test
    void anExchangeGoneBeforeTheContentCompletedIsNotFoundForBasicPublish() {
        amqp.openChannel(2);
        amqp.send(1, MethodType.TX_SELECT.with());
        amqp.expect(1, MethodType.TX_SELECT_OK);
        amqp.send(1, MethodType.EXCHANGE_DECLARE.with(0, "x", "direct", false, false, false, false, false,
                Map.of()));
        amqp.expect(1, MethodType.EXCHANGE_DECLARE_OK);
        amqp.send(1, MethodType.BASIC_PUBLISH.with(0, "x", "k", false, false));
        // Frames of other channels may come between a publish and its content [AMQP 0-9-1 4.2.6].
        amqp.send(2, MethodType.EXCHANGE_DELETE.with(0, "x", false, false));
        amqp.expect(2, MethodType.EXCHANGE_DELETE_OK);
        ByteBuf content = Unpooled.buffer();
        AmqpEncoder.writeContent(content, 1, MethodType.BASIC_PUBLISH.classId(), MessageProperties.EMPTY,
                "body".getBytes(StandardCharsets.UTF_8), 4096);
        amqp.write(ByteBufUtil.getBytes(content));
        content.release();

        Method close = amqp.expect(1, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.NOT_FOUND);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.BASIC_PUBLISH.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.BASIC_PUBLISH.methodId());
    }
}
