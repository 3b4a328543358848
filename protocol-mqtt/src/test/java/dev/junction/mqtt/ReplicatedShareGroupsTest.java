package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster node's share groups (MQTT 5 section 4.8.2: one group across the cluster, each message to one member).
 * The vhost here stands for a cluster node's: its async declarations wait for the test (the metadata log's
 * commit), and an if-unused deletion is judged by a count of consumers on other nodes (the quorum queue's log).
 */
class ReplicatedShareGroupsTest {
    private static final String QUEUE = TopicMapping.shareQueue("g", "t/#");

    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final Vhost real = Engine.of(routing).createVhost("/");
    private final ClientLanes lanes = new ClientLanes(1, "replicated-share-groups-test", "group");
    /** Completed by the test: the commit of each async declaration waits for it. */
    private final AtomicReference<CompletableFuture<Void>> commit =
            new AtomicReference<>(CompletableFuture.completedFuture(null));
    /** Consumers of the group queue on the other nodes, as the queue's log counts them. */
    private final AtomicInteger elsewhere = new AtomicInteger();
    /** A refusal every declaration meets (a node cut off from the majority), or null. */
    private volatile BrokerException refusal;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Vhost vhost = node();
    private final ShareGroups groups = new ShareGroups(vhost, "amq.topic", lanes,
            new ReplicatedShareQueue(vhost, "amq.topic", Runnable::run));

    @AfterEach
    void close() {
        lanes.close();
        routing.close();
    }

    @Test
    void everyNodeNamesTheGroupQueueAlikeAndDeclaresItReplicated() {
        assertThat(TopicMapping.shareQueue("g", "t/#")).isEqualTo("mqtt.share.g.t/#");
        QueueSpec spec = ReplicatedShareQueue.spec(QUEUE);
        assertThat(spec.durable()).isTrue();
        assertThat(spec.exclusive()).isFalse();
        assertThat(spec.autoDelete()).isFalse();
        assertThat(spec.arguments()).containsEntry("x-queue-type", "quorum");
    }

    @Test
    void aJoinIsAnsweredOnceTheQueueAndItsBindingAreCommitted() throws Exception {
        commit.set(new CompletableFuture<>());
        CompletableFuture<Void> joined = groups.join(QUEUE, "t.#", "m1", false);
        Thread.sleep(100);
        assertThat(joined).as("waits for the commit, holding no thread").isNotDone();
        commit.get().complete(null);
        joined.get(5, TimeUnit.SECONDS);
        assertThat(calls).containsExactly("declare", "bind");
        assertThat(real.queue(QUEUE)).isPresent();
        assertThat(real.bindingsTo(QUEUE)).singleElement().extracting(Binding::routingKey).isEqualTo("t.#");
    }

    @Test
    void thisNodesLastMemberLeavingKeepsTheQueueWhileMembersRemainElsewhere() throws Exception {
        groups.join(QUEUE, "t.#", "m1", false).get(5, TimeUnit.SECONDS);
        groups.join(QUEUE, "t.#", "m2", false).get(5, TimeUnit.SECONDS);
        elsewhere.set(1);
        groups.leave(QUEUE, "m1");
        settled();
        assertThat(calls).as("a member remains on this node: nothing asked").doesNotContain("delete");
        groups.leave(QUEUE, "m2");
        settled();
        assertThat(calls.stream().filter("delete"::equals)).as("asked again in case a detach was late")
                .hasSize(ReplicatedShareQueue.DELETE_TRIES);
        assertThat(real.queue(QUEUE)).as("in use by a member on another node").isPresent();

        groups.join(QUEUE, "t.#", "m3", false).get(5, TimeUnit.SECONDS);
        elsewhere.set(0);
        groups.leave(QUEUE, "m3");
        settled();
        assertThat(real.queue(QUEUE)).as("the last member in the cluster left").isEmpty();
    }

    @Test
    void aJoinAskedWhileTheLastLeaveIsDeletingRunsAfterItAndDeclaresAgain() throws Exception {
        groups.join(QUEUE, "t.#", "old", false).get(5, TimeUnit.SECONDS);
        commit.set(new CompletableFuture<>());
        groups.leave(QUEUE, "old");
        CompletableFuture<Void> joined = groups.join(QUEUE, "t.#", "new", false);
        Thread.sleep(100);
        assertThat(calls).as("the join waits for the leave's deletion").endsWith("delete");
        assertThat(joined).isNotDone();
        commit.get().complete(null);
        joined.get(5, TimeUnit.SECONDS);
        assertThat(calls).endsWith("delete", "declare", "bind");
        assertThat(real.queue(QUEUE)).isPresent();
        assertThat(real.bindingsTo(QUEUE)).hasSize(1);
    }

    @Test
    void aQueueDeletedByAnotherNodeBeforeTheBindIsDeclaredAgain() throws Exception {
        groups.join(QUEUE, "t.#", "m1", false).get(5, TimeUnit.SECONDS);
        groups.leave(QUEUE, "m1");
        settled();
        real.declareQueue(new QueueSpec(QUEUE, true, false, false, Map.of()), null, false);
        calls.clear();
        // Another node's last member deletes the queue between this node's look and its bind.
        commit.set(new CompletableFuture<>());
        CompletableFuture<Void> joined = groups.join(QUEUE, "t.#", "m2", false);
        Thread.sleep(100);
        real.deleteQueue(QUEUE, false, false, null).get(5, TimeUnit.SECONDS);
        commit.get().complete(null);
        joined.get(5, TimeUnit.SECONDS);
        assertThat(calls).containsExactly("bind", "declare", "bind");
        assertThat(real.queue(QUEUE)).isPresent();
    }

    @Test
    void aJoinTheClusterRefusesRecordsNoMember() throws Exception {
        refusal = new BrokerException(ErrorKind.INTERNAL_ERROR, "no leader for the metadata group");
        assertThatThrownBy(() -> groups.join(QUEUE, "t.#", "m1", false).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerException.class);
        refusal = null;
        groups.join(QUEUE, "t.#", "m2", false).get(5, TimeUnit.SECONDS);
        groups.leave(QUEUE, "m1");
        settled();
        assertThat(real.queue(QUEUE)).as("m1 was never a member; m2 is").isPresent();
    }

    /** A cluster node's vhost as this test drives it. */
    private Vhost node() {
        return (Vhost) Proxy.newProxyInstance(Vhost.class.getClassLoader(), new Class<?>[] {Vhost.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "declareQueueAsync" -> committed("declare", () -> {
                        QueueSpec spec = (QueueSpec) args[0];
                        // The stand-in engine runs alone: a classic queue of the same name stands for the quorum one.
                        real.declareQueue(new QueueSpec(spec.name(), true, false, false, Map.of()), null, false);
                        return null;
                    });
                    case "bindAsync" -> committed("bind", () -> {
                        real.bind((Binding) args[0], args[1]);
                        return null;
                    });
                    case "deleteQueueAsync" -> committed("delete", () -> {
                        if ((Boolean) args[1] && elsewhere.get() > 0) {
                            throw BrokerException.preconditionFailed(args[0] + " in use");
                        }
                        return real.deleteQueue((String) args[0], false, false, null).join();
                    });
                    default -> {
                        try {
                            yield method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }

    private CompletableFuture<Object> committed(String call, java.util.function.Supplier<Object> apply) {
        calls.add(call);
        if (refusal != null) {
            throw refusal; // refused before anything is submitted, as a node without a leader does
        }
        return commit.get().thenApply(v -> apply.get());
    }

    /** Waits until the group's steps asked so far have run (every commit here completes on the lane's thread). */
    private void settled() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Thread.sleep(50);
        while (lanes.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
