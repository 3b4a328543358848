package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Return;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publisher confirms (RabbitMQ extension confirm.select), mandatory returns and AMQP transactions. */
@Timeout(30)
class PublisherConfirmsAndTransactionsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void singlePublishIsConfirmedAndThenInTheQueue() throws Exception {
        // RabbitMQ confirm.select: a routed message is acked once every queue it reached has accepted it
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("pc.single"), false, false, true, null).getQueue();
            ch.confirmSelect();
            assertThat(ch.getNextPublishSeqNo()).isEqualTo(1);
            ch.basicPublish("", q, null, bytes("one"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            GetResponse r = ch.basicGet(q, true);
            assertThat(r).isNotNull();
            assertThat(text(r.getBody())).isEqualTo("one");
        }
    }

    @Test
    void batchOfThousandIsConfirmedAndAllEnqueued() throws Exception {
        // RabbitMQ publisher confirms: waitForConfirms returns once every outstanding publish is acked
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("pc.batch"), false, false, true, null).getQueue();
            ch.confirmSelect();
            for (int i = 0; i < 1000; i++) {
                ch.basicPublish("", q, null, bytes("m" + i));
            }
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(1000);
        }
    }

    @Test
    void asyncConfirmListenerAcksEverySequenceNumberExactlyOnce() throws Exception {
        // RabbitMQ confirm.select: basic.ack delivery-tag = publish sequence number; multiple=true covers all <= tag
        int total = 2000;
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("pc.async"), false, false, true, null).getQueue();
            NavigableSet<Long> outstanding = new ConcurrentSkipListSet<>();
            AtomicInteger acked = new AtomicInteger();
            AtomicInteger nacked = new AtomicInteger();
            AtomicReference<String> problem = new AtomicReference<>();
            CountDownLatch allConfirmed = new CountDownLatch(1);
            ch.addConfirmListener(new ConfirmListener() {
                @Override
                public void handleAck(long tag, boolean multiple) {
                    settle(tag, multiple, acked);
                }

                @Override
                public void handleNack(long tag, boolean multiple) {
                    settle(tag, multiple, nacked);
                }

                private void settle(long tag, boolean multiple, AtomicInteger counter) {
                    if (multiple) {
                        NavigableSet<Long> covered = outstanding.headSet(tag, true);
                        counter.addAndGet(covered.size());
                        covered.clear();
                    } else if (outstanding.remove(tag)) {
                        counter.incrementAndGet();
                    } else {
                        problem.compareAndSet(null, "confirm for tag " + tag + " that was not outstanding");
                    }
                    if (acked.get() + nacked.get() == total) {
                        allConfirmed.countDown();
                    }
                }
            });
            ch.confirmSelect();
            for (int i = 0; i < total; i++) {
                outstanding.add(ch.getNextPublishSeqNo());
                ch.basicPublish("", q, null, bytes("m" + i));
            }
            assertThat(allConfirmed.await(AmqpSupport.WAIT_MS, TimeUnit.MILLISECONDS))
                    .as("all %d publishes confirmed; still outstanding: %s", total, outstanding.size()).isTrue();
            assertThat(problem.get()).isNull();
            assertThat(outstanding).isEmpty();
            assertThat(acked.get()).isEqualTo(total);
            assertThat(nacked.get()).isZero();
        }
    }

    @Test
    void mandatoryPublishWithNoRouteIsReturnedWith312BeforeItsConfirm() throws Exception {
        // AMQP 0-9-1 basic.publish: mandatory + no route => basic.return 312 NO_ROUTE; RabbitMQ sends it before the ack
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
            ch.addReturnListener(returns::add);
            ch.confirmSelect();
            String key = unique("pc.nowhere");
            ch.basicPublish("", key, true, null, bytes("lost"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            Return r = returns.poll();
            assertThat(r).as("basic.return must precede the confirm").isNotNull();
            assertThat(r.getReplyCode()).isEqualTo(312);
            assertThat(r.getReplyText()).isEqualTo("NO_ROUTE");
            assertThat(r.getExchange()).isEmpty();
            assertThat(r.getRoutingKey()).isEqualTo(key);
            assertThat(text(r.getBody())).isEqualTo("lost");
        }
    }

    @Test
    void mandatoryPublishWithNoRouteWithoutConfirmsReachesTheReturnListener() throws Exception {
        // AMQP 0-9-1 basic.publish: mandatory + no route => basic.return 312 NO_ROUTE
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String exchange = unique("pc.direct");
            ch.exchangeDeclare(exchange, "direct", false, true, null);
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(q, exchange, "bound");
            BlockingQueue<Return> returns = new LinkedBlockingQueue<>();
            ch.addReturnListener(returns::add);
            ch.basicPublish(exchange, "unbound", true, null, bytes("body-123"));
            Return r = next(returns, "basic.return");
            assertThat(r.getReplyCode()).isEqualTo(312);
            assertThat(r.getReplyText()).isEqualTo("NO_ROUTE");
            assertThat(r.getExchange()).isEqualTo(exchange);
            assertThat(r.getRoutingKey()).isEqualTo("unbound");
            assertThat(text(r.getBody())).isEqualTo("body-123");
        }
    }

    @Test
    void rejectPublishOverflowNacksThePublishThatDoesNotFit() throws Exception {
        // RabbitMQ x-overflow=reject-publish: a publish into a full queue is refused with basic.nack when confirming
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = unique("pc.reject");
            ch.queueDeclare(q, false, false, true, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
            ch.confirmSelect();
            ch.basicPublish("", q, null, bytes("first"));
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            ch.basicPublish("", q, null, bytes("second"));
            assertThat(ch.waitForConfirms(AmqpSupport.WAIT_MS)).as("second publish nacked").isFalse();
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(1);
            assertThat(text(ch.basicGet(q, true).getBody())).isEqualTo("first");
        }
    }

    @Test
    void txCommitMakesPublishesVisibleAndTxRollbackDiscardsThem() throws Exception {
        // AMQP 0-9-1 tx.commit: publishes are enqueued on commit (RabbitMQ sends commit-ok once queues accepted)
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String fanout = unique("pc.tx-fanout");
            ch.exchangeDeclare(fanout, "fanout", false, true, null);
            List<String> queues = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String q = ch.queueDeclare(unique("pc.tx"), false, false, true, null).getQueue();
                ch.queueBind(q, fanout, "");
                queues.add(q);
            }
            ch.txSelect();
            List<String> committed = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                committed.add("m" + i);
                ch.basicPublish(fanout, "", null, bytes("m" + i));
            }
            // A synchronous call on the same channel: the publishes before it have been processed.
            assertThat(ch.queueDeclarePassive(queues.get(0)).getMessageCount()).as("before commit").isZero();
            Channel other = c.createChannel();
            ch.txCommit();
            for (String q : queues) {
                assertThat(other.queueDeclarePassive(q).getMessageCount()).as("%s right after commit-ok", q)
                        .isEqualTo(300);
            }

            ch.basicPublish(fanout, "", null, bytes("rolled-back"));
            ch.txRollback();
            ch.txCommit();
            for (String q : queues) {
                assertThat(other.queueDeclarePassive(q).getMessageCount()).as("after rollback").isEqualTo(300);
            }
            assertThat(AmqpSupport.drain(other, queues.get(0))).isEqualTo(committed);
        }
    }

    @Test
    void acksInsideATransactionTakeEffectOnlyOnCommit() throws Exception {
        // AMQP 0-9-1 tx class: basic.ack in a transaction is applied by tx.commit and discarded by tx.rollback
        try (Connection c = connect(broker)) {
            Channel setup = AmqpSupport.confirmChannel(c);
            String q = setup.queueDeclare(unique("pc.txack"), false, false, true, null).getQueue();
            AmqpSupport.publishConfirmed(setup, "", q, null, "m1");
            AmqpSupport.publishConfirmed(setup, "", q, null, "m2");

            Channel ch = c.createChannel();
            ch.txSelect();
            GetResponse m1 = ch.basicGet(q, false);
            GetResponse m2 = ch.basicGet(q, false);
            assertThat(text(m1.getBody())).isEqualTo("m1");
            assertThat(text(m2.getBody())).isEqualTo("m2");
            ch.basicAck(m2.getEnvelope().getDeliveryTag(), true);
            ch.txRollback();
            // The rolled-back ack is forgotten: both deliveries are still unacked, so m1 can be acked alone.
            ch.basicAck(m1.getEnvelope().getDeliveryTag(), false);
            ch.txCommit();
            ch.close();
            // Closing the channel requeues what is still unacked: only m2.
            GetResponse back = AmqpSupport.getWithin(setup, q, true);
            assertThat(text(back.getBody())).isEqualTo("m2");
            assertThat(back.getEnvelope().isRedeliver()).isTrue();
            assertThat(setup.basicGet(q, true)).isNull();
        }
    }

    @Test
    void ackedInTransactionButNotCommittedIsRequeuedWhenTheChannelCloses() throws Exception {
        // AMQP 0-9-1 tx class: uncommitted work is discarded when the channel closes
        try (Connection c = connect(broker)) {
            Channel setup = AmqpSupport.confirmChannel(c);
            String q = setup.queueDeclare(unique("pc.txclose"), false, false, true, null).getQueue();
            AmqpSupport.publishConfirmed(setup, "", q, null, "m1");
            Channel ch = c.createChannel();
            ch.txSelect();
            GetResponse m1 = ch.basicGet(q, false);
            ch.basicAck(m1.getEnvelope().getDeliveryTag(), false);
            ch.close();
            GetResponse back = AmqpSupport.getWithin(setup, q, true);
            assertThat(text(back.getBody())).isEqualTo("m1");
            assertThat(back.getEnvelope().isRedeliver()).isTrue();
        }
    }

    @Test
    void confirmSelectOnATransactionalChannelIsRefusedWith406() throws Exception {
        // RabbitMQ confirm.select: "cannot switch from tx to confirm mode" => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.txSelect();
            IOException e = assertThrows(IOException.class, ch::confirmSelect);
            AmqpSupport.assertChannelClosed(e, 406);
            assertThat(ch.isOpen()).isFalse();
            assertThat(c.isOpen()).isTrue();
            assertThat(c.createChannel().queueDeclare().getQueue()).startsWith("amq.gen-");
        }
    }

    @Test
    void txSelectOnAConfirmChannelIsRefusedWith406() throws Exception {
        // RabbitMQ tx.select: "cannot switch from confirm to tx mode" => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            IOException e = assertThrows(IOException.class, ch::txSelect);
            AmqpSupport.assertChannelClosed(e, 406);
            assertThat(c.isOpen()).isTrue();
        }
    }
}
