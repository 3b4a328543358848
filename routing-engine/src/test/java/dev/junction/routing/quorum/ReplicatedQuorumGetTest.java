package dev.junction.routing.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.api.Vhost;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * basic.get on a replicated quorum queue of this node (AMQP 0-9-1 {@code basic.get}), against a log whose checkouts
 * the test answers as the group's leader would, and whose message comes as this node's replica applies the
 * checkout, before or after that answer: get-empty, get-ok with the count left, settling under the getter's id, a
 * reject dead-lettered as {@code rejected}, and a checkout that lands after the get stopped waiting given back.
 */
class ReplicatedQuorumGetTest {
    private final HandLog log = new HandLog();
    private RoutingEngine engine;
    private Vhost vhost;

    @BeforeEach
    void start() {
        engine = log.engine();
        vhost = HandLog.vhost(engine);
        vhost.declareQueue(new QueueSpec("dlq", true, false, false, Map.of()), null, false);
        vhost.declareQueue(new QueueSpec("q", true, false, false, Map.of("x-queue-type", "quorum",
                "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "dlq")), null, false);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static byte[] body(String text) {
        return MessageCodec.encode(new Message("", "q", MessageProperties.EMPTY, text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(Delivery d) {
        return new String(d.message().body(), StandardCharsets.UTF_8);
    }

    private HandLog.Checkout checkout() throws InterruptedException {
        HandLog.Checkout c = log.checkouts.poll(5, TimeUnit.SECONDS);
        assertThat(c).as("a checkout asked of the log").isNotNull();
        return c;
    }

    private void awaitCommand(String command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!log.commands.contains(command) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log.commands).contains(command);
    }

    /** basic.get-empty: the log answered 0, nothing was ready at the checkout's place. */
    @Test
    void aCheckoutAnsweredZeroIsGetEmpty() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        checkout().answer().complete(0L);
        assertThat(get.get(5, TimeUnit.SECONDS)).isNull();
    }

    /** get-ok: the replica's message, message-count the ready count after it; basic.ack settles under the getter. */
    @Test
    void theReplicasMessageAnswersTheGetAndAnAckSettlesIt() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        HandLog.Checkout c = checkout();
        assertThat(c.settled()).isFalse();
        c.answer().complete(7L); // the leader applied it; this node's replica may come later
        assertThat(get).isNotDone();
        engine.quorum().got("/", "q", c.getter(), 7, body("m"), 0, 3);
        Delivery d = get.get(5, TimeUnit.SECONDS);
        assertThat(text(d)).isEqualTo("m");
        assertThat(d.remaining()).isEqualTo(3);
        assertThat(d.redelivered()).isFalse();
        assertThat(d.autoAck()).isFalse();
        d.settle(Settlement.ACK);
        awaitCommand("settle " + c.getter() + " 7");
    }

    /** The replica may apply the checkout before the leader's answer arrives: answered once, from the replica. */
    @Test
    void aReplicaAheadOfTheAnswerAnswersTheGet() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, true);
        HandLog.Checkout c = checkout();
        assertThat(c.settled()).as("no-ack: settled in the same command").isTrue();
        engine.quorum().got("/", "q", c.getter(), 9, body("first"), 0, 0);
        c.answer().complete(9L);
        Delivery d = get.get(5, TimeUnit.SECONDS);
        assertThat(text(d)).isEqualTo("first");
        assertThat(d.autoAck()).isTrue();
    }

    /** A returned message is got redelivered with x-delivery-count; a requeue returns it under the getter's id. */
    @Test
    void aReturnedMessageIsRedeliveredAndARequeueGivesItBack() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        HandLog.Checkout c = checkout();
        c.answer().complete(4L);
        engine.quorum().got("/", "q", c.getter(), 4, body("again"), 2, 0);
        Delivery d = get.get(5, TimeUnit.SECONDS);
        assertThat(d.redelivered()).isTrue();
        assertThat(d.message().properties().headers()).containsEntry("x-delivery-count", 2L);
        d.settle(Settlement.REQUEUE);
        awaitCommand("giveBack " + c.getter() + " 4");
        d.settle(Settlement.REQUEUE); // settled already: nothing more
        assertThat(log.commands.stream().filter(s -> s.startsWith("giveBack")).count()).isEqualTo(1);
    }

    /** basic.reject without requeue: settled in the log and dead-lettered with reason rejected. */
    @Test
    void aRejectWithoutRequeueDeadLettersTheGotMessage() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        HandLog.Checkout c = checkout();
        c.answer().complete(5L);
        engine.quorum().got("/", "q", c.getter(), 5, body("bad"), 0, 0);
        get.get(5, TimeUnit.SECONDS).settle(Settlement.DISCARD);
        awaitCommand("settle " + c.getter() + " 5");
        Delivery dead = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dead == null && System.nanoTime() < deadline) {
            dead = vhost.get("dlq", null, true).get(5, TimeUnit.SECONDS);
        }
        assertThat(dead).isNotNull();
        assertThat(String.valueOf(dead.message().properties().headers().get("x-death"))).contains("rejected");
    }

    /** The log had no state for the queue: declared again and asked again; a second refusal is 404. */
    @Test
    void aCheckoutAnsweredNoSuchQueueIsAskedAgainAfterADeclaration() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        checkout().answer().complete(-1L);
        checkout().answer().complete(0L);
        assertThat(get.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(log.commands).containsSubsequence("checkout c1 false", "declare", "checkout c1 false");

        CompletableFuture<Delivery> refused = vhost.get("q", null, false);
        checkout().answer().complete(-1L);
        checkout().answer().complete(-1L);
        assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(((BrokerException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    /** No answer from the log (no majority): the get fails, and a checkout the replica applies later goes back. */
    @Test
    void aGetTheLogFailedGivesBackWhatItsCheckoutTookLater() throws Exception {
        CompletableFuture<Delivery> get = vhost.get("q", null, false);
        HandLog.Checkout c = checkout();
        c.answer().completeExceptionally(new java.util.concurrent.TimeoutException());
        assertThatThrownBy(() -> get.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(BrokerException.class);
        engine.quorum().got("/", "q", c.getter(), 6, body("late"), 0, 0);
        awaitCommand("giveBack " + c.getter() + " 6");
    }
}
