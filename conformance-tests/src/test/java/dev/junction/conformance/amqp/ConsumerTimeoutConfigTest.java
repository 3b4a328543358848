package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.publishConfirmed;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker-wide acknowledgement timeout, {@code limits.consumer_timeout} (RabbitMQ's {@code consumer_timeout},
 * "Delivery Acknowledgement Timeout"), and a queue's own x-consumer-timeout above it.
 */
@Timeout(60)
class ConsumerTimeoutConfigTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(
            BrokerConfig.standard().withLimits("  consumer_timeout: 700\n"));

    @Test
    void aConsumerSittingOnADeliveryLosesItsChannelAndAnotherConsumerGetsTheMessage() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            // Not auto-delete: losing its only consumer to the timeout would delete it, message and all.
            String q = ch.queueDeclare(unique("cto.work"), false, false, false, null).getQueue();

            Channel sleepy = c.createChannel();
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            sleepy.addShutdownListener(closed::complete);
            sleepy.basicConsume(q, false, new DefaultConsumer(sleepy) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    // never acknowledges
                }
            });
            publishConfirmed(ch, "", q, null, "job");
            AMQP.Channel.Close close = assertChannelClosed(closed.get(20, TimeUnit.SECONDS), 406);
            assertThat(close.getReplyText()).isEqualTo("PRECONDITION_FAILED - delivery acknowledgement on channel "
                    + sleepy.getChannelNumber() + " timed out. Timeout value used: 700 ms. This timeout value can"
                    + " be configured, see consumers doc guide to learn more");

            BlockingQueue<Boolean> redelivered = new LinkedBlockingQueue<>();
            Channel worker = c.createChannel();
            worker.basicConsume(q, false, new DefaultConsumer(worker) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                        throws java.io.IOException {
                    redelivered.add(env.isRedeliver());
                    getChannel().basicAck(env.getDeliveryTag(), false);
                }
            });
            assertThat(redelivered.poll(10, TimeUnit.SECONDS)).isTrue();
            ch.queueDelete(q);
        }
    }

    @Test
    void aQueuesOwnTimeoutReplacesTheBrokerWideOne() throws Exception {
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String q = ch.queueDeclare(unique("cto.long"), false, false, true, args("x-consumer-timeout", 60_000))
                    .getQueue();
            publishConfirmed(ch, "", q, null, "m");
            Channel holder = c.createChannel();
            getWithin(holder, q, false);
            Thread.sleep(1500); // twice the broker-wide 700 ms
            assertThat(holder.isOpen()).isTrue();
            holder.basicAck(1, false);
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isZero();
        }
    }
}
