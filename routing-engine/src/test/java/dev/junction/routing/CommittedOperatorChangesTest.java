package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Policies, vhosts and users on a cluster node are changed as declarations are (docs/cluster.md, "Linearizable
 * declarations"): nothing is in effect on the node before the metadata log commits the change, the answer is the
 * node's own apply, a change the log never commits leaves nothing behind, and a node that knows no leader refuses
 * before it changes anything. The log is driven by hand ({@link HandDrivenLog}).
 */
class CommittedOperatorChangesTest {

    private final EngineFixture f = new EngineFixture();
    private final HandDrivenLog log = new HandDrivenLog();

    @AfterEach
    void close() {
        f.close();
    }

    private static Policy maxLength(String name, int limit) {
        return new Policy(name, "^limited", PolicyTarget.QUEUES, 0, Map.of("max-length", limit));
    }

    @Test
    void alonePolicyIsInEffectAtOnce() throws Exception {
        CompletableFuture<Boolean> created = f.vhost.policies().put(maxLength("p", 3));
        assertThat(created.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.vhost.policies().get("p")).isPresent();
    }

    @Test
    void aPolicyTakesEffectOnlyWhenTheLogCommitsItAndIsAnsweredByTheApply() throws Exception {
        f.declare(QueueSpec.durable("limited"));
        f.engine.commitDefinitionsThrough(log);
        CompletableFuture<Boolean> created = f.vhost.policies().put(maxLength("p", 3));
        assertThat(created).isNotDone();
        assertThat(f.vhost.policies().get("p")).as("not before the commit").isEmpty();
        assertThat(f.vhost.queue("limited").orElseThrow().arguments().policy()).isNull();
        assertThat(log.pending).singleElement().satisfies(e -> {
            assertThat(e.definition().kind()).isEqualTo(DefinitionKind.POLICY);
            assertThat(e.delete()).isFalse();
        });

        log.commitAll(f.engine);
        assertThat(created.get(5, TimeUnit.SECONDS)).as("the apply's answer: a new policy").isTrue();
        assertThat(f.vhost.policies().get("p")).isPresent();
        assertThat(f.vhost.queue("limited").orElseThrow().arguments().policy()).isNotNull();

        CompletableFuture<Boolean> deleted = f.vhost.policies().delete("p");
        assertThat(f.vhost.policies().get("p")).as("not before the commit").isPresent();
        log.commitAll(f.engine);
        assertThat(deleted.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.vhost.policies().get("p")).isEmpty();

        // Deleting a policy this node does not have reads after the barrier and commits nothing.
        assertThat(f.vhost.policies().delete("absent").get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(log.pending).isEmpty();
        assertThat(log.barriers).isEqualTo(1);
    }

    @Test
    void aPolicyTheLogDoesNotCommitLeavesNothingAndFailsTheChange() {
        f.engine.commitDefinitionsThrough(log);
        CompletableFuture<Boolean> put = f.vhost.policies().put(maxLength("p", 3));
        log.pending.remove(0).answer().completeExceptionally(
                new BrokerException(ErrorKind.INTERNAL_ERROR, "not committed: the leader was lost"));
        assertThatThrownBy(() -> put.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BrokerException.class)
                .hasMessageContaining("not committed");
        assertThat(f.vhost.policies().get("p")).isEmpty();
        assertThat(f.store.definitions().all()).noneMatch(d -> d.kind() == DefinitionKind.POLICY);
    }

    @Test
    void anInvalidPolicyOrANodeWithoutALeaderIsRefusedBeforeTheLog() {
        f.engine.commitDefinitionsThrough(log);
        assertThatThrownBy(() -> f.vhost.policies().put(new Policy("bad", "(", PolicyTarget.ALL, 0,
                Map.of("max-length", 1)))).isInstanceOf(BrokerException.class)
                .hasMessageContaining("not a valid regular expression");
        log.refusal = Optional.of("no leader for the metadata group");
        assertThatThrownBy(() -> f.vhost.policies().put(maxLength("p", 3))).isInstanceOf(BrokerException.class)
                .hasMessage("cannot set policy 'p' in vhost '/': no leader for the metadata group");
        assertThatThrownBy(() -> OperatorChanges.createVhost(f.engine, "v2")).isInstanceOf(BrokerException.class)
                .matches(e -> ((BrokerException) e).kind() == ErrorKind.INTERNAL_ERROR);
        assertThatThrownBy(() -> OperatorChanges.deleteVhost(f.engine, "/")).isInstanceOf(BrokerException.class);
        assertThatThrownBy(() -> OperatorChanges.user(f.engine, new Definition(DefinitionKind.USER, "", "u",
                new byte[0]), false)).isInstanceOf(BrokerException.class).hasMessageContaining("user 'u'");
        assertThat(log.pending).isEmpty();
    }

    @Test
    void aVhostIsCreatedAndDeletedOnlyWhenTheLogCommits() throws Exception {
        f.engine.commitDefinitionsThrough(log);
        CompletableFuture<Boolean> created = OperatorChanges.createVhost(f.engine, "v2");
        assertThat(f.engine.vhost("v2")).as("not before the commit").isEmpty();
        log.commitAll(f.engine);
        assertThat(created.get(5, TimeUnit.SECONDS)).isTrue();
        VirtualHost v2 = f.engine.vhost("v2").orElseThrow();
        v2.declareQueue(QueueSpec.durable("q"), EngineFixture.OWNER, false);

        // An existing vhost commits nothing.
        assertThat(OperatorChanges.createVhost(f.engine, "v2").get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(log.pending).isEmpty();

        CompletableFuture<Boolean> deleted = OperatorChanges.deleteVhost(f.engine, "v2");
        assertThat(f.engine.vhost("v2")).as("not before the commit").isPresent();
        log.commitAll(f.engine);
        assertThat(deleted.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.engine.vhost("v2")).isEmpty();
        assertThat(f.store.definitions().all()).noneMatch(d -> d.vhost().equals("v2"));
    }

    @Test
    void aloneOperatorChangesAreNotCommittedAndAUserCannotBe() throws Exception {
        assertThat(OperatorChanges.committed(f.engine)).isFalse();
        assertThat(OperatorChanges.createVhost(f.engine, "v3").get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.engine.vhost("v3")).isPresent();
        assertThat(OperatorChanges.deleteVhost(f.engine, "v3").get(5, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> OperatorChanges.user(f.engine, new Definition(DefinitionKind.USER, "", "u",
                new byte[0]), false)).isInstanceOf(IllegalStateException.class);
    }
}
