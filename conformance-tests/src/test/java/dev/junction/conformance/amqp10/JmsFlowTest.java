package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.junction.conformance.BrokerConfig;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credit over many messages: a publisher far beyond one link's credit window keeps getting credit as its messages
 * are confirmed, a backlog far beyond the consumer's prefetch and the connection's delivery handoff drains in
 * order, and a small prefetch holds unsettled deliveries to it, and a message of many frames goes out whole
 * (docs/amqp10.md, "Flow and settlement").
 */
class JmsFlowTest {
    private static final long WAIT_MS = 10_000;
    private static final int MESSAGES = 20_000;

    /**
     * Without heartbeats (and the clients asking for none), nothing but the clients' own frames wakes a connection:
     * a transfer the broker left half written would wait for ever, not for the next heartbeat.
     */
    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass(BrokerConfig.standard().withHeartbeat(0));

    @Test
    void aLongStreamGoesThroughInOrderInBothSettlementModes() throws Exception {
        Connection c = broker.jms();
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(id("stream"));
        MessageProducer p = s.createProducer(q);
        p.setDeliveryMode(DeliveryMode.NON_PERSISTENT); // Qpid JMS sends these without waiting for outcomes
        for (int i = 0; i < MESSAGES; i++) {
            p.send(s.createTextMessage(Integer.toString(i)));
        }
        p.setDeliveryMode(DeliveryMode.PERSISTENT); // and these one at a time, each waiting for accepted
        p.send(s.createTextMessage("last"));
        MessageConsumer consumer = s.createConsumer(q);
        for (int i = 0; i < MESSAGES; i++) {
            Message m = consumer.receive(WAIT_MS);
            assertThat(m).as("message %d", i).isNotNull();
            assertThat(((TextMessage) m).getText()).isEqualTo(Integer.toString(i));
        }
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("last");
        assertThat(consumer.receive(100)).isNull();
    }

    @Test
    void thePrefetchBoundsWhatAConsumerHoldsUnsettled() throws Exception {
        Channel amqp = broker.amqpChannel();
        String name = amqp.queueDeclare(id("prefetch"), false, false, true, Map.of()).getQueue();
        for (int i = 0; i < 100; i++) {
            amqp.basicPublish("", name, null, Amqp10Support.utf8("m" + i));
        }
        Connection c = broker.jms("guest", "guest", "jms.prefetchPolicy.all=10");
        Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + name));
        // nothing received by the application yet: the client granted 10 and the broker sends that, no more
        // up to WAIT_MS for the 10 to leave (it costs only when they do not): a loaded machine can take over 2 s
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        int ready = -1;
        while (System.nanoTime() < deadline) {
            ready = (int) amqp.messageCount(name);
            if (ready == 90) {
                break;
            }
            Thread.sleep(20);
        }
        Thread.sleep(200);
        assertThat(amqp.messageCount(name)).as("messages left in the queue with 10 at the consumer").isEqualTo(90);
        Message last = null;
        for (int i = 0; i < 100; i++) {
            last = consumer.receive(WAIT_MS);
            assertThat(last).as("message %d", i).isNotNull();
        }
        last.acknowledge(); // client acknowledgement settles everything received so far
        assertThat(consumer.receive(100)).isNull();
    }

    /**
     * A message of more frames than the broker writes in one event-loop turn (9 MB: about 70 frames of the default
     * 128 KiB max-frame-size) arrives whole while the consumer sends nothing: a transfer is split into frames that
     * all go [AMQP 1.0 part 2 section 2.6.14, "more"] without waiting for the receiver to speak again.
     */
    @Test
    void aMessageOfManyFramesArrivesWithoutTheConsumerSendingAnything() throws Exception {
        Channel amqp = broker.amqpChannel();
        String name = amqp.queueDeclare(id("large"), false, false, true, Map.of()).getQueue();
        byte[] body = new byte[9_000_000];
        new Random(15).nextBytes(body);
        Connection c = broker.jms("guest", "guest", "amqp.idleTimeout=0");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + name));
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        consumer.setMessageListener(m -> { // a listener: no pull or drain of the client's wakes the connection
            try {
                got.complete(m.getBody(byte[].class));
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        amqp.basicPublish("", name, null, body);
        assertThat(got.get(60, TimeUnit.SECONDS)).isEqualTo(body);
    }
}
