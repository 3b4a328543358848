package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.MessageProperties;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A publish reaching a queue and coming back as a delivery, on an embedded connection over a real engine. */
class PublishAndDeliverTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();

    @BeforeEach
    void open() {
        amqp.handshake();
        amqp.openChannel(1);
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, false, Map.of()));
        Method ok = amqp.expect(1, MethodType.QUEUE_DECLARE_OK);
        assertThat(ok.str("queue")).isEqualTo("q");
    }

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void aPublishedMessageIsDeliveredToTheConsumerWithItsPropertiesAndBody() {
        amqp.send(1, MethodType.BASIC_CONSUME.with(0, "q", "c1", false, false, false, false, Map.of()));
        amqp.expect(1, MethodType.BASIC_CONSUME_OK);
        MessageProperties props = MessageProperties.builder().contentType("text/plain").messageId("m-1")
                .headers(Map.of("k", "v")).build();
        // An empty exchange name is the default exchange, where every queue is bound under its own name
        // [AMQP 0-9-1 basic.publish exchange].
        amqp.publish(1, "", "q", false, props, "hello");

        // [AMQP 0-9-1 basic.deliver] consumer tag, a delivery tag from 1, not redelivered, exchange and key.
        Method deliver = amqp.expect(1, MethodType.BASIC_DELIVER);
        assertThat(deliver.str("consumer-tag")).isEqualTo("c1");
        assertThat(deliver.longValue("delivery-tag")).isEqualTo(1);
        assertThat(deliver.bit("redelivered")).isFalse();
        assertThat(deliver.str("exchange")).isEmpty();
        assertThat(deliver.str("routing-key")).isEqualTo("q");
        // [AMQP 0-9-1 4.2.6] the content follows as a header frame and body frames on the same channel.
        EmbeddedAmqp.Content content = amqp.content(1);
        assertThat(content.body()).isEqualTo("hello");
        assertThat(content.properties().contentType()).isEqualTo("text/plain");
        assertThat(content.properties().messageId()).isEqualTo("m-1");
        assertThat(content.properties().headers()).containsEntry("k", "v");

        // [AMQP 0-9-1 basic.ack delivery-tag] the tag is outstanding until acknowledged, and only once.
        amqp.send(1, MethodType.BASIC_ACK.with(1L, false));
        amqp.send(1, MethodType.BASIC_ACK.with(1L, false));
        Method close = amqp.expect(1, MethodType.CHANNEL_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.PRECONDITION_FAILED);
        assertThat(close.integer("class-id")).isEqualTo(MethodType.BASIC_ACK.classId());
        assertThat(close.integer("method-id")).isEqualTo(MethodType.BASIC_ACK.methodId());
    }

    @Test
    void anUnroutableMandatoryPublishIsReturned() {
        // [AMQP 0-9-1 basic.publish mandatory] a message no queue takes comes back with basic.return 312 NO_ROUTE.
        amqp.publish(1, "", "nowhere", true, MessageProperties.EMPTY, "lost");
        Method returned = amqp.expect(1, MethodType.BASIC_RETURN);
        assertThat(returned.integer("reply-code")).isEqualTo(ReplyCode.NO_ROUTE);
        assertThat(returned.str("routing-key")).isEqualTo("nowhere");
        assertThat(amqp.content(1).body()).isEqualTo("lost");
    }

    @Test
    void aConfirmedPublishIsAcknowledgedOnceTheQueueHasIt() {
        // RabbitMQ's publisher confirms: publishes are numbered from 1 after confirm.select.
        amqp.send(1, MethodType.CONFIRM_SELECT.with(false));
        amqp.expect(1, MethodType.CONFIRM_SELECT_OK);
        amqp.publish(1, "", "q", false, MessageProperties.EMPTY, "one");
        Method ack = amqp.expect(1, MethodType.BASIC_ACK);
        assertThat(ack.longValue("delivery-tag")).isEqualTo(1);
        amqp.send(1, MethodType.BASIC_GET.with(0, "q", true));
        Method got = amqp.expect(1, MethodType.BASIC_GET_OK);
        assertThat(got.longValue("message-count")).isZero();
        assertThat(amqp.content(1).body()).isEqualTo("one");
    }
}
