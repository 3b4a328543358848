package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.deadLetterTarget;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.firstDeath;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.str;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.ConformanceBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ's length limits hold whatever makes a queue grow: a message returned by nack/reject with requeue or by
 * a closing channel counts like a publish, and with the default overflow (drop-head) the head is dropped or
 * dead-lettered with reason {@code maxlen}.
 */
@Timeout(30)
class MaxLengthAfterRequeueTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void nackWithRequeuePastXMaxLengthDeadLettersTheHead() throws Exception {
        // RabbitMQ x-max-length, overflow drop-head: a requeue that takes the queue past the limit drops the head
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("ml.requeue.dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("ml.requeue"), false, false, true,
                    args("x-max-length", 2, "x-dead-letter-exchange", dlx)).getQueue();
            ch.basicPublish("", q, null, bytes("m1"));
            ch.basicPublish("", q, null, bytes("m2"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            GetResponse m1 = ch.basicGet(q, false);
            assertThat(text(m1.getBody())).isEqualTo("m1");
            ch.basicPublish("", q, null, bytes("m3"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS); // m2, m3 ready: at the limit

            ch.basicNack(m1.getEnvelope().getDeliveryTag(), false, true); // m1 back at the head: over the limit

            GetResponse d = getWithin(ch, dead, true);
            assertThat(text(d.getBody())).isEqualTo("m1");
            assertThat(str(firstDeath(d.getProps()).get("reason"))).isEqualTo("maxlen");
            assertThat(drain(ch, q)).containsExactly("m2", "m3");
        }
    }

    @Test
    void channelCloseReturningMessagesPastXMaxLengthBytesDropsTheHead() throws Exception {
        // RabbitMQ x-max-length-bytes: unacknowledged messages returned by a closing channel count too
        try (Connection c = connect(broker)) {
            Channel setup = confirmChannel(c);
            String dlx = unique("mlb.close.dlx");
            String dead = deadLetterTarget(setup, dlx);
            String q = setup.queueDeclare(unique("mlb.close"), false, false, true,
                    args("x-max-length-bytes", 4, "x-dead-letter-exchange", dlx)).getQueue();
            setup.basicPublish("", q, null, bytes("aa"));
            setup.basicPublish("", q, null, bytes("bb"));
            setup.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            Channel consumer = c.createChannel();
            assertThat(text(consumer.basicGet(q, false).getBody())).isEqualTo("aa");
            setup.basicPublish("", q, null, bytes("cc"));
            setup.waitForConfirmsOrDie(AmqpSupport.WAIT_MS); // bb, cc: 4 bytes, at the limit

            consumer.close(); // aa returns to the head: 6 bytes

            GetResponse d = getWithin(setup, dead, true);
            assertThat(text(d.getBody())).isEqualTo("aa");
            assertThat(str(firstDeath(d.getProps()).get("reason"))).isEqualTo("maxlen");
            assertThat(drain(setup, q)).containsExactly("bb", "cc");
        }
    }
}
