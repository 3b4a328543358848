package dev.junction.routing.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.queue.Queue;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replicated quorum queue's definition on this node holds no message and no consumer: queue.delete's
 * {@code if-unused} and {@code if-empty} (AMQP 0-9-1 {@code queue.delete}) are judged by the log's usage command,
 * and so is the consumer count a JMS unsubscribe judges by; the counts the management API and metrics read from
 * the queue are this node's replica's.
 */
class ReplicatedQuorumDeleteTest {
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

    private void deleteRefused(boolean ifUnused, boolean ifEmpty, String text) {
        assertThatThrownBy(() -> vhost.deleteQueueAsync("q", ifUnused, ifEmpty, null).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BrokerException.class)
                .hasMessage(text)
                .satisfies(e -> assertThat(((BrokerException) e).kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED));
        assertThat(vhost.queue("q")).isPresent();
    }

    @Test
    void ifUnusedIsRefusedWhileTheLogCountsAConsumer() throws Exception {
        log.consumerCount = 0; // this node's replica may be behind: the log's answer decides
        log.usage = new QuorumUsage(1, 0);
        deleteRefused(true, false, "queue 'q' in vhost '/' in use");
        assertThat(log.commands).contains("usage").doesNotContain("delete");

        log.usage = new QuorumUsage(0, 0);
        vhost.deleteQueueAsync("q", true, false, null).get(5, TimeUnit.SECONDS);
        assertThat(vhost.queue("q")).isEmpty();
        assertThat(log.commands).endsWith("delete");
    }

    @Test
    void ifEmptyIsRefusedWhileTheLogHoldsMessagesReadyOrCheckedOut() throws Exception {
        log.usage = new QuorumUsage(0, 1);
        deleteRefused(false, true, "queue 'q' in vhost '/' is not empty");
        log.usage = new QuorumUsage(3, 0);
        vhost.deleteQueueAsync("q", false, true, null).get(5, TimeUnit.SECONDS); // consumers do not matter here
        assertThat(vhost.queue("q")).isEmpty();
    }

    @Test
    void aPlainDeleteAsksTheLogNothing() throws Exception {
        log.usage = new QuorumUsage(1, 1);
        vhost.deleteQueueAsync("q", false, false, null).get(5, TimeUnit.SECONDS);
        assertThat(vhost.queue("q")).isEmpty();
        assertThat(log.commands).doesNotContain("usage");
    }

    /**
     * What a JMS unsubscribe judges "has an active consumer" by (Vhost#consumerCountAsync): the log's usage command,
     * which counts every cancel answered before it, not this node's replica, which may not have applied one yet.
     */
    @Test
    void theConsumersCountedForAnUnsubscribeAreTheLogs() throws Exception {
        log.consumerCount = 1; // this node's replica has not applied a detach the log already answered
        log.usage = new QuorumUsage(0, 5);
        assertThat(vhost.consumerCountAsync("q").get(5, TimeUnit.SECONDS)).isZero();
        assertThat(log.commands).contains("usage");
        log.consumerCount = 0; // and a consumer attached on another node that this replica has not seen yet
        log.usage = new QuorumUsage(2, 0);
        assertThat(vhost.consumerCountAsync("q").get(5, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(vhost.consumerCountAsync("nothing").get(5, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void theQueuesCountsAreThisNodesReplicas() {
        log.ready = 4;
        log.unsettled = 2;
        log.consumerCount = 3;
        Queue q = engine.vhost("/").orElseThrow().queue("q").orElseThrow(); // what the management API reads
        assertThat(q.messageCount()).isEqualTo(4);
        assertThat(q.unackedCount()).isEqualTo(2);
        assertThat(q.consumerCount()).isEqualTo(3);
        assertThat(vhost.queue("q").orElseThrow().messageCount()).isEqualTo(4); // a QueueInfo read outside a declare
    }

    private CompletableFuture<QueueInfo> declare(boolean passive) {
        return vhost.declareQueueAsync(new QueueSpec("q", true, false, false, Map.of("x-queue-type", "quorum")), null,
                null, passive, name -> { });
    }

    /**
     * queue.declare-ok's message-count (ready messages) and consumer-count, passive or not, are the log's usage
     * command's, counting ready messages only (RabbitMQ's declare-ok reports a quorum queue's ready messages from its
     * leader): this node's replica may not have applied enqueues confirmed on another node. The declare-ok waits for
     * the log's answer.
     */
    @Test
    void declareOkCountsAreTheLogsReadyMessagesAndConsumers() throws Exception {
        log.ready = 1; // this node's replica is behind
        log.consumerCount = 0;
        CompletableFuture<QuorumUsage> answer = new CompletableFuture<>();
        log.readyUsage = answer;
        CompletableFuture<QueueInfo> passive = declare(true);
        assertThat(passive).as("waits for the log").isNotDone();
        assertThat(log.commands).contains("usage ready");
        answer.complete(new QuorumUsage(2, 7));
        QueueInfo info = passive.get(5, TimeUnit.SECONDS);
        assertThat(info.messageCount()).isEqualTo(7);
        assertThat(info.consumerCount()).isEqualTo(2);

        log.readyUsage = CompletableFuture.completedFuture(new QuorumUsage(1, 9));
        QueueInfo redeclared = declare(false).get(5, TimeUnit.SECONDS);
        assertThat(redeclared.messageCount()).isEqualTo(9);
        assertThat(redeclared.consumerCount()).isEqualTo(1);
    }

    /**
     * A log that does not answer (this node cut off from the group's majority: the usage's timeout) leaves the
     * declare working with this node's replica's counts, as does one that holds no such queue yet.
     */
    @Test
    void declareOkFallsBackToTheReplicasCountsWhenTheLogDoesNotCount() throws Exception {
        log.ready = 3;
        log.consumerCount = 1;
        log.readyUsage = CompletableFuture.failedFuture(new TimeoutException("no majority"));
        QueueInfo info = declare(true).get(5, TimeUnit.SECONDS);
        assertThat(info.messageCount()).isEqualTo(3);
        assertThat(info.consumerCount()).isEqualTo(1);

        log.readyUsage = CompletableFuture.completedFuture(null);
        info = declare(true).get(5, TimeUnit.SECONDS);
        assertThat(info.messageCount()).isEqualTo(3);
        assertThat(info.consumerCount()).isEqualTo(1);
    }
}
