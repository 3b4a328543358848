package dev.junction.routing.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The length-limit hold of a replicated quorum queue that asks for it ({@code x-junction-hold-publishers}, an MQTT
 * persistent session's queue in a cluster), against a log whose replica counts the test sets: as a classic queue's
 * (docs/cluster.md, "MQTT sessions"), publishers pause from half of {@code x-max-length} ready while a consumer
 * takes, go on at a quarter, and are held only now and then by consumers that stopped taking, so a connected
 * subscriber that keeps reading loses no QoS 0 message to the limit [MQTT-4.5.0-1] and one that stopped does not stop
 * its publishers.
 */
class ReplicatedHoldTest {
    private final HandLog log = new HandLog();
    private RoutingEngine engine;
    private Vhost vhost;

    @BeforeEach
    void start() {
        engine = log.engine();
        vhost = HandLog.vhost(engine);
        vhost.declareQueue(new QueueSpec("held", true, false, false, Map.of("x-queue-type", "quorum",
                "x-max-length", 100L, QueueSpec.HOLD_PUBLISHERS, true)), null, false);
        vhost.declareQueue(new QueueSpec("plain", true, false, false, Map.of("x-queue-type", "quorum",
                "x-max-length", 100L)), null, false);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private PublishResult publish(String queue) {
        return vhost.publish(new Message("", queue, MessageProperties.EMPTY, new byte[] {1}), false);
    }

    @Test
    void publishersPauseFromHalfTheLimitUntilAQuarterWhileAConsumerTakes() throws Exception {
        log.ready = 49;
        assertThat(publish("held").congested()).as("under half of x-max-length").isFalse();
        log.ready = 50;
        PublishResult held = publish("held");
        assertThat(held.congested()).as("at half of x-max-length, with a consumer").isTrue();
        CountDownLatch resumed = new CountDownLatch(1);
        held.whenRelieved(resumed::countDown);
        log.ready = 30; // the consumer takes, slower than the publishers were
        assertThat(resumed.await(200, TimeUnit.MILLISECONDS)).as("still above a quarter").isFalse();
        assertThat(publish("held").congested()).isTrue();
        log.ready = 25;
        assertThat(resumed.await(10, TimeUnit.SECONDS)).as("at a quarter").isTrue();
        assertThat(publish("held").congested()).isFalse();
    }

    @Test
    void aQueueThatDoesNotAskOrHasNoConsumerNeverHolds() {
        log.ready = 99;
        assertThat(publish("plain").congested()).as("no x-junction-hold-publishers").isFalse();
        log.consumerCount = 0;
        assertThat(publish("held").congested()).as("an offline session: the limit drops from the head").isFalse();
    }

    @Test
    void consumersThatStoppedTakingReleaseTheHoldUntilTheyTakeAgain() throws Exception {
        log.ready = 60;
        PublishResult held = publish("held");
        assertThat(held.congested()).isTrue();
        CountDownLatch resumed = new CountDownLatch(1);
        held.whenRelieved(resumed::countDown);
        // Nothing is taken: after a second without progress the publishers go on and the queue fills (and drops).
        assertThat(resumed.await(10, TimeUnit.SECONDS)).isTrue();
        log.ready = 80;
        assertThat(publish("held").congested()).as("no new hold right after a stall").isFalse();
        Thread.sleep(ReplicatedHold.STALL_MILLIS + 100); // the free time after a first stall
        assertThat(publish("held").congested()).as("a hold again, in case the consumer takes again").isTrue();
    }
}
