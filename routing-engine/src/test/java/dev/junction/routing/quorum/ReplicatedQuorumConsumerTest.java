package dev.junction.routing.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumeRequest;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.Credit;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A consumer of a replicated quorum queue on this node, against a log that commits every command at once: what the
 * log assigned and the sink never got goes back to the queue when the consumer is cancelled, and a message its
 * sink never settles (an MQTT QoS 0 delivery) is handed over settled, and a consumer the log answered "no such
 * queue" is attached again after the queue is declared again; an attachment the log refuses for an exclusive
 * consumer fails the consume, or cancels a consumer attached again.
 */
class ReplicatedQuorumConsumerTest {
    private final HandLog log = new HandLog();
    private RoutingEngine engine;
    private Vhost vhost;

    @BeforeEach
    void start() {
        engine = log.engine();
        vhost = HandLog.vhost(engine);
        vhost.declareQueue(new QueueSpec("q", true, false, false, Map.of("x-queue-type", "quorum")), null, false);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    /** A sink that takes deliveries while {@code ready}, and never settles the ones whose body starts "qos0". */
    private static final class Sink implements DeliverySink {
        final BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        volatile boolean ready = true;
        final java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
        volatile CancelReason why;

        @Override
        public void cancelled(CancelReason why) {
            this.why = why;
            cancelled.countDown();
        }

        @Override
        public void deliver(Delivery d) {
            got.add(d);
        }

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public boolean settlesOnSend(Message m) {
            return new String(m.body(), StandardCharsets.UTF_8).startsWith("qos0");
        }
    }

    private static byte[] body(String text) {
        return MessageCodec.encode(new Message("", "q", MessageProperties.EMPTY, text.getBytes(StandardCharsets.UTF_8)));
    }

    private Consumption consume(Sink sink) throws Exception {
        return vhost.consume("q", ConsumeRequest.of("t", false, Credit.of(10, 0)), sink).get(5, TimeUnit.SECONDS);
    }

    private void awaitCommand(String command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!log.commands.contains(command) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log.commands).contains(command);
    }

    @Test
    void whatTheSinkNeverGotGoesBackWhenTheConsumerIsCancelled() throws Exception {
        Sink sink = new Sink();
        Consumption c = consume(sink);
        engine.quorum().deliver("/", "q", "c1", 7, body("sent"), 0);
        assertThat(sink.got.poll(5, TimeUnit.SECONDS)).isNotNull();
        sink.ready = false; // the socket is full: the next assignment waits on this node
        engine.quorum().deliver("/", "q", "c1", 8, body("waiting"), 0);
        c.cancel().get(5, TimeUnit.SECONDS);
        awaitCommand("giveBack c1 8");
        assertThat(log.commands).contains("detach c1 false")
                .as("what the sink got stays its own to settle").doesNotContain("giveBack c1 7");
        engine.quorum().deliver("/", "q", "c1", 9, body("late"), 0); // assigned before the log heard of the cancel
        awaitCommand("giveBack c1 9");
        assertThat(sink.got).isEmpty();
    }

    @Test
    void aMessageTheSinkNeverSettlesIsHandedOverSettled() throws Exception {
        Sink sink = new Sink();
        consume(sink);
        engine.quorum().deliver("/", "q", "c1", 3, body("qos0 a"), 0);
        engine.quorum().deliver("/", "q", "c1", 4, body("qos1 b"), 0);
        Delivery qos0 = sink.got.poll(5, TimeUnit.SECONDS);
        Delivery qos1 = sink.got.poll(5, TimeUnit.SECONDS);
        assertThat(qos0.autoAck()).isTrue();
        assertThat(qos1.autoAck()).isFalse();
        awaitCommand("settle c1 3");
        assertThat(log.commands).doesNotContain("settle c1 4");
        qos1.settle(dev.junction.routing.api.Settlement.ACK);
        awaitCommand("settle c1 4");
    }

    /**
     * A delivery nothing acknowledges (MQTT QoS 0) holds its place in the consumer's window until the sink takes it:
     * it is settled in the log once handed over, not when assigned, so a slow socket leaves the rest in the log
     * (bounded by x-max-length) instead of this node's heap; one the sink never got goes back to the queue.
     */
    @Test
    void aMessageNothingAcknowledgesIsSettledOnlyOnceHandedOver() throws Exception {
        Sink sink = new Sink();
        Consumption c = consume(sink);
        sink.ready = false; // the socket is full
        engine.quorum().deliver("/", "q", "c1", 5, body("qos0 waits"), 0);
        engine.quorum().deliver("/", "q", "c1", 6, body("qos0 never sent"), 0);
        Thread.sleep(100); // give a wrong early settle the time to show
        assertThat(log.commands).doesNotContain("settle c1 5", "settle c1 6");
        sink.ready = true;
        c.resume();
        assertThat(sink.got.poll(5, TimeUnit.SECONDS)).isNotNull();
        awaitCommand("settle c1 5");
        sink.ready = false;
        engine.quorum().deliver("/", "q", "c1", 7, body("qos0 never sent"), 0);
        sink.got.poll(5, TimeUnit.SECONDS); // 6 went out with 5
        c.cancel().get(5, TimeUnit.SECONDS);
        awaitCommand("giveBack c1 7");
        assertThat(log.commands).doesNotContain("settle c1 7");
    }

    /**
     * A consumer attached to a queue its log did not have (this node's declaration failed, as one sent before the
     * group had a leader can) got nothing while other nodes' publishes were confirmed: it is attached again after
     * a new declaration, and then receives.
     */
    @Test
    void aConsumerTheLogAnsweredNoSuchQueueIsAttachedAgainAfterADeclaration() throws Exception {
        log.hasQueue = false;
        Sink sink = new Sink();
        consume(sink);
        assertThat(log.commands).containsSubsequence("attach c1 10", "declare", "attach c1 10");
        engine.quorum().deliver("/", "q", "c1", 5, body("m"), 0);
        assertThat(sink.got.poll(5, TimeUnit.SECONDS)).isNotNull();
    }

    /**
     * AMQP 0-9-1 basic.consume {@code exclusive}: the log decides, and its refusal fails the consume with
     * ACCESS_REFUSED and a classic queue's text (an adapter closes the channel with 403, as RabbitMQ does); the
     * consumer is not kept, so what the log might still assign to its id goes back.
     */
    @Test
    void aConsumeTheLogRefusesForAnExclusiveConsumerFailsWithAccessRefused() throws Exception {
        log.inExclusiveUse = true;
        ConsumeRequest exclusive = new ConsumeRequest("t", false, true, 0, List.of(Credit.of(10, 0)), null);
        Throwable failed = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> vhost.consume("q", exclusive, new Sink()).get(5, TimeUnit.SECONDS)).getCause();
        assertThat(failed).isInstanceOf(BrokerException.class)
                .hasMessage("queue 'q' in vhost '/' in exclusive use");
        assertThat(((BrokerException) failed).kind()).isEqualTo(ErrorKind.ACCESS_REFUSED);
        assertThat(log.commands).contains("attach c1 10 exclusive");
        engine.quorum().deliver("/", "q", "c1", 5, body("m"), 0);
        awaitCommand("giveBack c1 5");
    }

    /**
     * A consumer attached again after its node was judged silent, which the log now refuses (another node's
     * exclusive consumer came meanwhile), is cancelled as a deleted queue's is, not left attached to nothing.
     */
    @Test
    void aConsumerTheLogRefusesToAttachAgainIsCancelled() throws Exception {
        Sink sink = new Sink();
        consume(sink);
        log.inExclusiveUse = true;
        engine.quorum().reattach();
        assertThat(sink.cancelled.await(5, TimeUnit.SECONDS)).as("the sink told it was cancelled").isTrue();
        assertThat(sink.why).as("not as of a deleted queue").isEqualTo(CancelReason.IN_EXCLUSIVE_USE);
        engine.quorum().deliver("/", "q", "c1", 5, body("m"), 0);
        awaitCommand("giveBack c1 5");
    }

    /**
     * An attachment whose submission failed may still have been committed: the consume fails, and the consumer is
     * detached in the log too (returning what it was assigned), so no consumer that no node serves stays there,
     * taking its share of the messages or, if exclusive, refusing every other consumer.
     */
    @Test
    void aConsumeWhoseAttachmentFailedIsDetachedInTheLog() throws Exception {
        log.attachFails = true;
        ConsumeRequest exclusive = new ConsumeRequest("t", false, true, 0, List.of(Credit.of(10, 0)), null);
        org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> vhost.consume("q", exclusive, new Sink()).get(5, TimeUnit.SECONDS));
        assertThat(log.commands).containsSubsequence("attach c1 10 exclusive", "detach c1 true");
    }

    @Test
    void theConsumerCountIsTheLogs() {
        assertThat(vhost.queue("q").orElseThrow().consumerCount()).isEqualTo(1);
    }
}
