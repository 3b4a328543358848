package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.deadLetterTarget;
import static dev.junction.conformance.amqp.AmqpSupport.firstDeath;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.publishConfirmed;
import static dev.junction.conformance.amqp.AmqpSupport.str;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delivery limit (RabbitMQ "Quorum Queues", "Poison Message Handling": x-delivery-limit, x-delivery-count, reason
 * delivery_limit) on classic queues, Junction's x-retry-delays, and the acknowledgement timeout (RabbitMQ
 * "Consumer Acknowledgements and Publisher Confirms", "Delivery Acknowledgement Timeout": x-consumer-timeout),
 * through the stock client. Timings are asserted from below only.
 */
@Timeout(60)
class RedeliveryPatternsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void aMessageReturnedMoreThanTheDeliveryLimitIsDeadLetteredWithReasonDeliveryLimit() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String dlx = unique("dl.dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("dl.work"), false, false, true,
                    args("x-delivery-limit", 2, "x-dead-letter-exchange", dlx)).getQueue();
            publishConfirmed(ch, "", q, null, "poison");

            List<Object> counts = new ArrayList<>();
            for (int attempt = 0; attempt < 3; attempt++) {
                GetResponse r = getWithin(ch, q, false);
                Map<String, Object> h = r.getProps().getHeaders();
                counts.add(h == null ? null : h.get("x-delivery-count"));
                ch.basicNack(r.getEnvelope().getDeliveryTag(), false, true);
            }
            // Quorum queues: no header on the first delivery, then the number of returns so far.
            assertThat(counts).containsExactly(null, 1L, 2L);

            GetResponse d = getWithin(ch, dead, true);
            assertThat(text(d.getBody())).isEqualTo("poison");
            Map<String, Object> death = firstDeath(d.getProps());
            assertThat(str(death.get("reason"))).isEqualTo("delivery_limit");
            assertThat(str(death.get("queue"))).isEqualTo(q);
            assertThat(str(d.getProps().getHeaders().get("x-first-death-reason"))).isEqualTo("delivery_limit");
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
        }
    }

    @Test
    void closingAChannelWithTheMessageUnacknowledgedCountsAsAReturn() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("dl.close"), false, false, true, args("x-delivery-limit", 5))
                    .getQueue();
            publishConfirmed(ch, "", q, null, "m");
            Channel holder = c.createChannel();
            getWithin(holder, q, false);
            holder.close();
            GetResponse again = getWithin(ch, q, true);
            assertThat(again.getEnvelope().isRedeliver()).isTrue();
            assertThat(again.getProps().getHeaders().get("x-delivery-count")).isEqualTo(1L);
        }
    }

    @Test
    void badDeliveryLimitIsRefusedWith406() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            Throwable t = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> ch.queueDeclare(unique("dl.bad"), false, false, true, args("x-delivery-limit", -1)));
            assertThat(assertChannelClosed(t, 406).getReplyText()).contains("invalid arg 'x-delivery-limit'");
        }
    }

    @Test
    void aRejectedMessageWaitsItsRetryDelayWhileTheMessagesBehindItGoOn() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            // Junction's x-retry-delays with a delivery limit: retry with backoff, then dead-letter.
            String dlx = unique("rt.dlx");
            String dead = deadLetterTarget(ch, dlx);
            String q = ch.queueDeclare(unique("rt.work"), false, false, true, args("x-retry-delays", "300ms,600ms",
                    "x-delivery-limit", 2, "x-dead-letter-exchange", dlx)).getQueue();
            publishConfirmed(ch, "", q, null, "flaky");
            publishConfirmed(ch, "", q, null, "fine");

            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            List<Long> nackedAt = new ArrayList<>();
            List<Long> deliveredAt = new ArrayList<>();
            Channel consumer = c.createChannel();
            consumer.basicConsume(q, false, new DefaultConsumer(consumer) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                        throws IOException {
                    String b = text(body);
                    if (b.equals("flaky")) {
                        synchronized (deliveredAt) {
                            deliveredAt.add(System.nanoTime());
                            nackedAt.add(System.nanoTime());
                        }
                        getChannel().basicNack(env.getDeliveryTag(), false, true);
                    } else {
                        getChannel().basicAck(env.getDeliveryTag(), false);
                    }
                    seen.add(b);
                }
            });
            // The first return waits 300 ms; "fine", behind it, is delivered in the meantime.
            assertThat(next(seen, "first delivery")).isEqualTo("flaky");
            assertThat(next(seen, "second delivery")).isEqualTo("fine");
            assertThat(next(seen, "first retry")).isEqualTo("flaky");
            assertThat(next(seen, "second retry")).isEqualTo("flaky");
            GetResponse d = getWithin(ch, dead, true);
            assertThat(str(firstDeath(d.getProps()).get("reason"))).isEqualTo("delivery_limit");
            synchronized (deliveredAt) {
                assertThat(deliveredAt).hasSize(3);
                long firstWait = TimeUnit.NANOSECONDS.toMillis(deliveredAt.get(1) - nackedAt.get(0));
                long secondWait = TimeUnit.NANOSECONDS.toMillis(deliveredAt.get(2) - nackedAt.get(1));
                assertThat(firstWait).as("first delay").isGreaterThanOrEqualTo(280);
                assertThat(secondWait).as("second delay").isGreaterThanOrEqualTo(580);
            }
        }
    }

    @Test
    void anUnacknowledgedDeliveryPastTheConsumerTimeoutClosesItsChannelAndIsRedelivered() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("to.work"), false, false, true, args("x-consumer-timeout", 500))
                    .getQueue();
            publishConfirmed(ch, "", q, null, "slow-job");

            Channel sleepy = c.createChannel();
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            sleepy.addShutdownListener(closed::complete);
            long start = System.nanoTime();
            GetResponse r = getWithin(sleepy, q, false);
            assertThat(r).isNotNull();

            ShutdownSignalException sse = closed.get(20, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(480);
            AMQP.Channel.Close close = assertChannelClosed(sse, 406);
            assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - delivery acknowledgement on channel "
                    + sleepy.getChannelNumber() + " timed out. Timeout value used: 500 ms. This timeout value can"
                    + " be configured, see consumers doc guide to learn more");
            assertThat(close.getClassId()).isZero();
            assertThat(close.getMethodId()).isZero();
            assertThat(c.isOpen()).as("a channel error, the connection stays").isTrue();

            GetResponse again = getWithin(ch, q, false);
            assertThat(text(again.getBody())).isEqualTo("slow-job");
            assertThat(again.getEnvelope().isRedeliver()).isTrue();
            ch.basicAck(again.getEnvelope().getDeliveryTag(), false);
        }
    }
}
