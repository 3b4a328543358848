package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.DefinitionKind;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine API's asynchronous declarations over a metadata log (docs/cluster.md): nothing changes before the log
 * commits, the answer is this node's apply, reads wait for the barrier, and a node without a leader refuses
 * deletions as it refuses declarations. The log is driven by hand ({@link HandDrivenLog}): {@link #commitAll} is the commit.
 */
class CommittedDeclarationsTest {

    private final EngineFixture f = new EngineFixture();
    private final HandDrivenLog log = new HandDrivenLog();
    private final Vhost vhost = Engine.of(f.engine).vhost("/").orElseThrow();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void withoutALogTheAnswerIsThereAtOnce() {
        CompletableFuture<QueueInfo> q = vhost.declareQueueAsync(QueueSpec.durable("alone"), null, null, false,
                n -> { });
        assertThat(q).isDone();
        assertThat(q.join().name()).isEqualTo("alone");
        assertThat(f.vhost.queue("alone")).isPresent();
    }

    @Test
    void aDurableQueueExistsOnlyOnceCommittedAndIsAnsweredByTheApply() throws Exception {
        f.engine.commitDefinitionsThrough(log);
        CompletableFuture<QueueInfo> q = vhost.declareQueueAsync(QueueSpec.durable("q"), null, null, false,
                n -> { });
        assertThat(q).isNotDone();
        assertThat(f.vhost.queue("q")).as("not before the commit").isEmpty();
        commitAll();
        assertThat(q.get(5, TimeUnit.SECONDS).name()).isEqualTo("q");
        assertThat(f.vhost.queue("q")).isPresent();

        // A transient queue is this node's alone: there at once, no log entry.
        assertThat(vhost.declareQueueAsync(new QueueSpec("t", false, false, false, Map.of()), null, null, false,
                n -> { })).isDone();
        assertThat(log.pending).isEmpty();

        // A conflicting redeclaration is refused by this node's state after the read barrier, as alone.
        CompletableFuture<QueueInfo> conflicting = vhost.declareQueueAsync(
                new QueueSpec("q", true, false, false, Map.of("x-max-length", 5)), null, null, false, n -> { });
        assertThatThrownBy(() -> conflicting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BrokerException.class)
                .hasMessageContaining("inequivalent arg 'x-max-length'");
        assertThat(log.barriers).isEqualTo(1);
    }

    /**
     * {@code cluster.default_queue_type: quorum} (docs/cluster.md, "Default queue type"; RabbitMQ's default queue
     * type, rabbitmq.com/docs/vhosts): a durable queue declared without {@code x-queue-type} is committed as a quorum
     * queue and redeclared without a type with no 406; an explicit classic one and an auto-delete one stay classic;
     * arguments a quorum queue refuses are refused before anything is committed, as RabbitMQ refuses them under a
     * quorum default.
     */
    @Test
    void underAQuorumDefaultADurableQueueWithoutATypeIsCommittedAsQuorum() throws Exception {
        f.engine.commitDefinitionsThrough(log);
        vhost.declareQueueAsync(QueueSpec.durable("old"), null, null, false, n -> { }); // before the default
        commitAll();
        log.defaultQueueType = DefaultQueueType.QUORUM;
        for (QueueSpec again : new QueueSpec[] {QueueSpec.durable("old"),
                QueueSpec.durable("old").withArgument("x-queue-type", "classic")}) {
            assertThat(vhost.declareQueueAsync(again, null, null, false, n -> { }).get(5, TimeUnit.SECONDS)
                    .spec().arguments()).doesNotContainKey("x-queue-type");
        }
        vhost.declareQueueAsync(QueueSpec.durable("dq"), null, null, false, n -> { });
        vhost.declareQueueAsync(new QueueSpec("cq", true, false, false, Map.of("x-queue-type", "classic")), null,
                null, false, n -> { });
        vhost.declareQueueAsync(new QueueSpec("ad", true, false, true, Map.of()), null, null, false, n -> { });
        commitAll();
        assertThat(f.vhost.queue("dq").orElseThrow().spec().arguments()).containsEntry("x-queue-type", "quorum");
        assertThat(f.vhost.queue("cq").orElseThrow().spec().arguments()).containsEntry("x-queue-type", "classic");
        assertThat(f.vhost.queue("ad").orElseThrow().spec().arguments()).doesNotContainKey("x-queue-type");
        for (String name : new String[] {"dq", "cq"}) {
            assertThat(vhost.declareQueueAsync(QueueSpec.durable(name), null, null, false, n -> { })
                    .get(5, TimeUnit.SECONDS).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> vhost.declareQueueAsync(new QueueSpec("pq", true, false, false,
                Map.of("x-max-priority", 5)), null, null, false, n -> { }))
                .isInstanceOf(BrokerException.class).hasMessageContaining("invalid arg 'x-max-priority'")
                .hasMessageContaining("x-queue-type classic");
        assertThat(log.pending).isEmpty();
    }

    @Test
    void bindingsAndDeletionsGoThroughTheLogToo() throws Exception {
        f.engine.commitDefinitionsThrough(log);
        vhost.declareExchangeAsync(new ExchangeSpec("x", "direct", true, false, false, Map.of()), false);
        vhost.declareQueueAsync(QueueSpec.durable("q"), null, null, false, n -> { });
        commitAll();
        CompletableFuture<Void> bound = vhost.bindAsync(Binding.toQueue("x", "q", "k", Map.of()), null);
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
        commitAll();
        bound.get(5, TimeUnit.SECONDS);
        assertThat(f.vhost.bindingsTo(true, "q")).hasSize(1);

        CompletableFuture<Integer> deleted = vhost.deleteQueueAsync("q", false, false, null);
        assertThat(f.vhost.queue("q")).isPresent();
        commitAll();
        assertThat(deleted.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(f.vhost.queue("q")).isEmpty();
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
    }

    /**
     * A named transient exchange is cluster-wide in RabbitMQ whatever its durability, so a cluster node commits it
     * as it commits a durable one (docs/cluster.md, "What is replicated"), keeping {@code durable=false}: a
     * redeclaration must ask for what exists (AMQP 0-9-1 exchange.declare; RabbitMQ's 406 "inequivalent arg
     * 'durable'"). Its binding to a durable queue and its deletion go through the log too. Alone, nothing changes:
     * it is declared at once and never written to the store.
     */
    @Test
    void aNamedTransientExchangeGoesThroughTheLogAndStaysTransient() throws Exception {
        ExchangeSpec logs = new ExchangeSpec("logs", "fanout", false, false, false, Map.of());
        assertThat(vhost.declareExchangeAsync(logs, false)).isDone();
        assertThat(f.store.definitions().all()).noneMatch(d -> d.kind() == DefinitionKind.EXCHANGE);
        assertThat(vhost.deleteExchangeAsync("logs", false)).isDone();

        f.engine.commitDefinitionsThrough(log);
        CompletableFuture<ExchangeInfo> declared = vhost.declareExchangeAsync(logs, false);
        assertThat(f.vhost.exchange("logs")).as("not before the commit").isEmpty();
        commitAll();
        declared.get(5, TimeUnit.SECONDS);
        assertThat(f.vhost.exchange("logs").orElseThrow().durable()).isFalse();
        vhost.declareExchangeAsync(logs, false).get(5, TimeUnit.SECONDS);
        CompletableFuture<ExchangeInfo> durably = vhost.declareExchangeAsync(
                new ExchangeSpec("logs", "fanout", true, false, false, Map.of()), false);
        assertThatThrownBy(() -> durably.get(5, TimeUnit.SECONDS)).hasMessageContaining("inequivalent arg 'durable'");
        assertThat(log.pending).isEmpty();

        vhost.declareQueueAsync(QueueSpec.durable("q"), null, null, false, n -> { });
        commitAll();
        vhost.bindAsync(Binding.toQueue("logs", "q", "", Map.of()), null);
        assertThat(log.pending).hasSize(1);
        commitAll();
        CompletableFuture<Void> deleted = vhost.deleteExchangeAsync("logs", false);
        assertThat(f.vhost.exchange("logs")).as("not before the commit").isPresent();
        commitAll();
        deleted.get(5, TimeUnit.SECONDS);
        assertThat(f.vhost.exchange("logs")).isEmpty();
        assertThat(f.vhost.bindingsTo(true, "q")).isEmpty();
    }

    @Test
    void withoutALeaderDeletionsAreRefusedBeforeAnythingChanges() throws Exception {
        f.engine.commitDefinitionsThrough(log);
        vhost.declareExchangeAsync(new ExchangeSpec("x", "direct", true, false, false, Map.of()), false);
        vhost.declareQueueAsync(QueueSpec.durable("q"), null, null, false, n -> { });
        commitAll();
        vhost.bindAsync(Binding.toQueue("x", "q", "k", Map.of()), null);
        commitAll();
        log.refusal = Optional.of("no leader for the metadata group");
        assertThatThrownBy(() -> vhost.deleteQueueAsync("q", false, false, null))
                .isInstanceOf(BrokerException.class).hasMessage("cannot delete durable queue 'q' in vhost '/': no leader "
                        + "for the metadata group");
        assertThatThrownBy(() -> vhost.deleteExchangeAsync("x", false)).isInstanceOf(BrokerException.class)
                .matches(e -> ((BrokerException) e).kind() == ErrorKind.INTERNAL_ERROR);
        assertThatThrownBy(() -> vhost.unbindAsync(Binding.toQueue("x", "q", "k", Map.of()), null))
                .isInstanceOf(BrokerException.class);
        assertThatThrownBy(() -> vhost.declareQueueAsync(QueueSpec.durable("q2"), null, null, false, n -> { }))
                .isInstanceOf(BrokerException.class).hasMessageContaining("no leader");
        assertThat(log.pending).isEmpty();
        assertThat(f.vhost.queue("q")).isPresent();
        assertThat(f.vhost.exchange("x")).isPresent();
        assertThat(f.vhost.bindingsTo(true, "q")).hasSize(1);
    }

    /** Applies every entry submitted so far, in order, as a cluster node's state machine would. */
    private void commitAll() {
        log.commitAll(f.engine);
    }
}
