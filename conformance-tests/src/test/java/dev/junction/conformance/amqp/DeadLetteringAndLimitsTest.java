package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.deadLetterTarget;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.firstDeath;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.publishConfirmed;
import static dev.junction.conformance.amqp.AmqpSupport.str;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.ConformanceBroker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Settling, dead-lettering, TTL, length limits and priorities, seen through the stock client. */
@Timeout(30)
class DeadLetteringAndLimitsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void rejectAndNackWithRequeueRedeliverTheMessageFlaggedRedelivered() throws Exception {
        // AMQP 0-9-1 basic.reject / RabbitMQ basic.nack requeue=true: the message returns, redelivered=true
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.requeue"), false, false, true, null).getQueue();
            publishConfirmed(ch, "", q, null, "again");
            GetResponse r1 = ch.basicGet(q, false);
            assertThat(r1.getEnvelope().isRedeliver()).isFalse();
            ch.basicReject(r1.getEnvelope().getDeliveryTag(), true);
            GetResponse r2 = getWithin(ch, q, false);
            assertThat(text(r2.getBody())).isEqualTo("again");
            assertThat(r2.getEnvelope().isRedeliver()).isTrue();
            ch.basicNack(r2.getEnvelope().getDeliveryTag(), false, true);
            GetResponse r3 = getWithin(ch, q, false);
            assertThat(text(r3.getBody())).isEqualTo("again");
            assertThat(r3.getEnvelope().isRedeliver()).isTrue();
            ch.basicAck(r3.getEnvelope().getDeliveryTag(), false);
            assertThat(ch.basicGet(q, true)).isNull();
        }
    }

    @Test
    void rejectAndNackWithoutRequeueDropTheMessage() throws Exception {
        // AMQP 0-9-1 basic.reject requeue=false: the message is discarded when there is no dead-letter exchange
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.drop"), false, false, true, null).getQueue();
            publishConfirmed(ch, "", q, null, "x");
            publishConfirmed(ch, "", q, null, "y");
            ch.basicReject(ch.basicGet(q, false).getEnvelope().getDeliveryTag(), false);
            ch.basicNack(ch.basicGet(q, false).getEnvelope().getDeliveryTag(), false, false);
            assertThat(ch.basicGet(q, true)).isNull();
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
        }
    }

    @Test
    void nackWithoutRequeueDeadLettersWithAnXDeathEntryReasonRejected() throws Exception {
        // RabbitMQ dead lettering: x-death = [{reason: rejected, queue, count: 1, exchange, routing-keys, time}]
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("qf.dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("qf.work"), false, false, true, args("x-dead-letter-exchange", dlx))
                    .getQueue();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId("id-7")
                    .headers(Map.of("app", "test")).build();
            publishConfirmed(ch, "", q, props, "doomed");
            ch.basicNack(ch.basicGet(q, false).getEnvelope().getDeliveryTag(), false, false);

            GetResponse r = getWithin(ch, dead, true);
            assertThat(text(r.getBody())).isEqualTo("doomed");
            assertThat(r.getProps().getMessageId()).isEqualTo("id-7");
            assertThat(str(r.getProps().getHeaders().get("app"))).isEqualTo("test");
            Map<String, Object> death = firstDeath(r.getProps());
            assertThat(str(death.get("reason"))).isEqualTo("rejected");
            assertThat(str(death.get("queue"))).isEqualTo(q);
            assertThat(death.get("count")).isInstanceOf(Number.class);
            assertThat(((Number) death.get("count")).longValue()).isEqualTo(1L);
            assertThat(str(death.get("exchange"))).isEmpty();
            assertThat(death.get("routing-keys")).isInstanceOf(List.class);
            assertThat(((List<?>) death.get("routing-keys")).stream().map(AmqpSupport::str)).containsExactly(q);
            assertThat(death.get("time")).isInstanceOf(java.util.Date.class);
            assertThat(str(r.getProps().getHeaders().get("x-first-death-reason"))).isEqualTo("rejected");
            assertThat(str(r.getProps().getHeaders().get("x-first-death-queue"))).isEqualTo(q);
            assertThat(ch.basicGet(q, true)).isNull();
        }
    }

    @Test
    void queueMessageTtlExpiresIntoTheDeadLetterExchangeWithReasonExpired() throws Exception {
        // RabbitMQ x-message-ttl: an expired message is dead-lettered with x-death reason "expired"
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("qf.ttl-dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("qf.ttl"), false, false, true,
                    args("x-message-ttl", 100, "x-dead-letter-exchange", dlx)).getQueue();
            publishConfirmed(ch, "", q, null, "short-lived");
            GetResponse r = getWithin(ch, dead, true);
            assertThat(text(r.getBody())).isEqualTo("short-lived");
            Map<String, Object> death = firstDeath(r.getProps());
            assertThat(str(death.get("reason"))).isEqualTo("expired");
            assertThat(str(death.get("queue"))).isEqualTo(q);
            assertThat(((Number) death.get("count")).longValue()).isEqualTo(1L);
            assertThat(ch.basicGet(q, true)).isNull();
        }
    }

    @Test
    void perMessageExpirationExpiresOnlyThatMessage() throws Exception {
        // RabbitMQ per-message TTL (expiration property): dead-lettered as "expired", original-expiration kept
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("qf.exp-dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("qf.exp"), false, false, true, args("x-dead-letter-exchange", dlx))
                    .getQueue();
            publishConfirmed(ch, "", q, new AMQP.BasicProperties.Builder().expiration("100").build(), "brief");
            publishConfirmed(ch, "", q, new AMQP.BasicProperties.Builder().expiration("600000").build(), "lasting");
            GetResponse r = getWithin(ch, dead, true);
            assertThat(text(r.getBody())).isEqualTo("brief");
            assertThat(r.getProps().getExpiration()).as("expiration removed from the dead-lettered copy").isNull();
            Map<String, Object> death = firstDeath(r.getProps());
            assertThat(str(death.get("reason"))).isEqualTo("expired");
            assertThat(str(death.get("original-expiration"))).isEqualTo("100");
            assertThat(drain(ch, q)).containsExactly("lasting");
        }
    }

    @Test
    void maxLengthDropHeadKeepsTheNewestMessages() throws Exception {
        // RabbitMQ x-max-length with default overflow drop-head: the oldest messages are dropped
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.maxlen"), false, false, true, args("x-max-length", 2)).getQueue();
            for (String m : List.of("m1", "m2", "m3", "m4")) {
                publishConfirmed(ch, "", q, null, m);
            }
            assertThat(drain(ch, q)).containsExactly("m3", "m4");
        }
    }

    @Test
    void rejectPublishDlxNacksAndDeadLettersTheRejectedMessage() throws Exception {
        // RabbitMQ x-overflow=reject-publish-dlx: the refused publish is nacked and dead-lettered (reason maxlen)
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("qf.rpdlx-dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("qf.rpdlx"), false, false, true, args("x-max-length", 1,
                    "x-overflow", "reject-publish-dlx", "x-dead-letter-exchange", dlx)).getQueue();
            publishConfirmed(ch, "", q, null, "fits");
            ch.basicPublish("", q, null, bytes("overflows"));
            assertThat(ch.waitForConfirms(AmqpSupport.WAIT_MS)).as("the overflowing publish is nacked").isFalse();
            GetResponse r = getWithin(ch, dead, true);
            assertThat(text(r.getBody())).isEqualTo("overflows");
            assertThat(str(firstDeath(r.getProps()).get("reason"))).isEqualTo("maxlen");
            assertThat(drain(ch, q)).containsExactly("fits");
        }
    }

    @Test
    void maxPriorityQueueDeliversHigherPriorityFirst() throws Exception {
        // RabbitMQ x-max-priority: higher-priority messages are delivered before lower ones
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("qf.prio"), false, false, true, args("x-max-priority", 10))
                    .getQueue();
            publishConfirmed(ch, "", q, null, "none");
            for (int p : new int[] {1, 9, 5}) {
                publishConfirmed(ch, "", q, new AMQP.BasicProperties.Builder().priority(p).build(), "p" + p);
            }
            assertThat(drain(ch, q)).containsExactly("p9", "p5", "p1", "none");
        }
    }
}
