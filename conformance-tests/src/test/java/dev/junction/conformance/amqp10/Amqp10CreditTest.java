package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The credit of a publisher's link follows the engine's back-pressure [AMQP 1.0 part 2 section 2.6.7: a sender
 * may send only while it has link credit], docs/amqp10.md "Flow and settlement": while a queue holds its publishers
 * back or a memory alarm is raised, the broker renews no credit, so the client stops once its credit is spent and
 * the broker takes in nothing beyond it; the credit comes back when the queue has drained or the alarm cleared.
 * The publisher is proton-j's engine on a socket, which shows the credit it holds exactly; the consumer is Qpid JMS.
 *
 * <p>The queue's hold is the engine's: it starts when more than 2,000 messages are ready for a consumer that keeps
 * taking them more slowly than they come, and ends when they are down to 1,000. (A consumer that takes nothing at
 * all for a second is treated as stalled and lets the queue fill, as for every protocol; what bounds memory then is
 * the memory alarm, the second test.) The queue is drained by an AMQP 0-9-1 consumer that joins the slow one.
 */
class Amqp10CreditTest {
    /** The publisher link's credit window (docs/amqp10.md): the most it may have in flight. */
    private static final int WINDOW = 256;
    /** Ready messages past which the queue holds its publishers, with the messages a held publisher may still send. */
    private static final int HELD_BOUND = 2000 + 2 * WINDOW + 100;
    private static final int MESSAGES = 6000;
    /** How long the publisher goes on trying once the queue is past the hold's start. */
    private static final long TRYING_NANOS = 3_000_000_000L;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void aQueueFallingBehindStopsThePublishersCreditUntilItDrains() throws Exception {
        String queue = Amqp10Support.id("held");
        Channel amqp = broker.amqpChannel();
        amqp.queueDeclare(queue, false, false, false, null);
        AtomicBoolean slow = new AtomicBoolean(true);
        AtomicInteger received = new AtomicInteger();
        Thread reader = consumer(queue, slow, received);
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            raw.socket.setSoTimeout(5); // read what arrived and go on sending: the publisher is never slower than credit
            Sender sender = publisher(raw, queue);
            int[] sent = {0};
            int deepest = 0;
            // the consumer takes ten messages a second: the queue falls behind at once; the publisher sends all its
            // credit allows until the queue is past the hold's start, then goes on trying for three seconds more
            long deadline = System.nanoTime() + 60_000_000_000L;
            long looked = 0;
            long past = 0;
            while (System.nanoTime() < deadline && (past == 0 || System.nanoTime() - past < TRYING_NANOS)) {
                sendWhileCredit(raw, sender, sent);
                if (past == 0 && sent[0] > 2000) {
                    past = System.nanoTime();
                }
                if (System.nanoTime() - looked > 100_000_000L) {
                    deepest = Math.max(deepest, (int) amqp.messageCount(queue));
                    looked = System.nanoTime();
                }
            }
            assertThat(sent[0]).as("sent while the queue was short of the hold").isGreaterThan(2000);
            raw.pumpFor(1000); // a second more: whatever credit the broker still gives is spent below
            sendWhileCredit(raw, sender, sent);
            deepest = Math.max(deepest, (int) amqp.messageCount(queue));
            assertThat(sent[0]).as("messages taken in while the queue held its publishers").isLessThan(HELD_BOUND);
            assertThat(sender.getCredit()).isZero();
            assertThat(deepest).as("messages the queue held at most").isLessThan(HELD_BOUND);
            assertThat(sender.getRemoteState()).isEqualTo(EndpointState.ACTIVE);

            // a fast consumer joins (AMQP 0-9-1, automatic acknowledgement): the queue drains below its low mark
            // and the credit comes back
            slow.set(false);
            amqp.basicConsume(queue, true, new com.rabbitmq.client.DefaultConsumer(amqp) {
                @Override
                public void handleDelivery(String tag, com.rabbitmq.client.Envelope envelope,
                                           com.rabbitmq.client.AMQP.BasicProperties properties, byte[] body) {
                    received.incrementAndGet();
                }
            });
            long drained = System.nanoTime() + 30_000_000_000L;
            while (sent[0] < MESSAGES && System.nanoTime() < drained) {
                sendWhileCredit(raw, sender, sent);
            }
            assertThat(sent[0]).as("sent after the queue drained").isEqualTo(MESSAGES);
            raw.flush();
            for (int i = 0; i < 1500 && received.get() < MESSAGES; i++) {
                Thread.sleep(20);
            }
            assertThat(received.get()).as("every message arrived, at one consumer or the other").isEqualTo(MESSAGES);
        } finally {
            reader.interrupt();
            reader.join(5000);
        }
    }

    @Test
    void theMemoryAlarmStopsThePublishersCreditUntilItClears() throws Exception {
        String queue = Amqp10Support.id("alarm");
        Channel amqp = broker.amqpChannel();
        amqp.queueDeclare(queue, false, false, false, null);
        var alarm = broker.broker().engine().memoryAlarm();
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Sender sender = publisher(raw, queue);
            int[] sent = {0};
            try {
                alarm.force(true);
                raw.pumpFor(300); // the alarm reaches the connection on its event loop
                long until = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < until) {
                    sendWhileCredit(raw, sender, sent);
                }
                assertThat(sent[0]).as("at most one window sent under the alarm").isLessThanOrEqualTo(WINDOW);
                assertThat(sender.getCredit()).isZero();
                int held = sent[0];
                raw.pumpFor(500);
                assertThat(amqp.messageCount(queue)).as("the broker took what was sent, no more").isEqualTo(held);

                alarm.force(false);
                raw.pumpUntil(() -> sender.getCredit() > 0);
                assertThat(sender.getCredit()).as("credit after the alarm cleared").isPositive();
                sendWhileCredit(raw, sender, sent);
                assertThat(sent[0]).isGreaterThan(held);
            } finally {
                alarm.force(null);
            }
        }
    }

    /** A link to {@code /queues/queue} whose transfers are pre-settled: its credit alone paces it. */
    private static Sender publisher(RawAmqp10 raw, String queue) throws Exception {
        org.apache.qpid.proton.engine.Session session = raw.connection.session();
        session.open();
        Sender sender = session.sender("publisher");
        Target target = new Target();
        target.setAddress("/queues/" + queue);
        sender.setTarget(target);
        sender.setSource(new Source());
        sender.setSenderSettleMode(SenderSettleMode.SETTLED);
        sender.open();
        raw.pumpUntil(() -> sender.getRemoteState() == EndpointState.ACTIVE && sender.getCredit() > 0);
        assertThat(sender.getCredit()).as("initial credit").isPositive().isLessThanOrEqualTo(WINDOW);
        return sender;
    }

    /** Sends until the credit is spent (or every message went), then reads what the broker sent for 10 ms. */
    private static void sendWhileCredit(RawAmqp10 raw, Sender sender, int[] sent) throws Exception {
        byte[] buffer = new byte[256];
        while (sender.getCredit() > 0 && sent[0] < MESSAGES) {
            Message m = Message.Factory.create();
            m.setBody(new Data(new Binary(Amqp10Support.utf8("m" + sent[0]))));
            int n = m.encode(buffer, 0, buffer.length);
            Delivery d = sender.delivery(Amqp10Support.utf8(Integer.toString(sent[0])));
            sender.send(buffer, 0, n);
            sender.advance();
            d.settle();
            sent[0]++;
        }
        raw.flush();
        raw.pumpFor(10);
    }

    /** A Qpid JMS consumer with a prefetch of one, taking a message every 100 ms while {@code slow}. */
    private static Thread consumer(String queue, AtomicBoolean slow, AtomicInteger received) throws Exception {
        Connection c = broker.jms("guest", "guest", "jms.prefetchPolicy.all=1");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + queue));
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (consumer.receive(100) != null) {
                        received.incrementAndGet();
                        if (slow.get()) {
                            Thread.sleep(100);
                        }
                    }
                }
            } catch (Exception e) {
                // interrupted at the end of the test, or the connection closed with the broker
            }
        }, "slow-consumer");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
