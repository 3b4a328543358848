package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A persistent session's share group memberships as a cluster records them (MQTT 5 section 4.8.2: a shared
 * subscription is the session's, so a session resumed on any node has it): a binding of the session queue from an
 * internal exchange, which routes nothing and reads back as the subscription, taken by a resume in place of what
 * the node had. The vhost is a broker alone standing for a cluster node's: its group queue declarations are classic.
 */
class ShareMembershipsTest {
    private static final String SESSION = TopicMapping.sessionQueue("c1");
    private static final String GROUP = TopicMapping.shareQueue("g", "t/#");
    private static final String OLD_GROUP = TopicMapping.shareQueue("old", "x");

    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final Vhost real = Engine.of(routing).createVhost("/");
    private final ClientLanes lanes = new ClientLanes(1, "share-memberships-test", "group");
    private final Vhost vhost = node();
    private final ShareGroups cluster = new ShareGroups(vhost, "amq.topic", lanes,
            new ReplicatedShareQueue(vhost, "amq.topic", Runnable::run));

    @BeforeEach
    void sessionQueue() {
        real.declareQueue(new QueueSpec(SESSION, true, false, false, Map.of()), null, false);
        real.declareExchange(ShareMemberships.spec(), false);
    }

    @AfterEach
    void close() {
        lanes.close();
        routing.close();
    }

    @Test
    void aRecordReadsBackAsTheSubscriptionAndNothingCanBePublishedThroughIt() {
        Subscriptions.Subscription sub = shared("g", "t/#", 1, 7);
        real.bind(ShareMemberships.binding(sub, SESSION), null);
        assertThat(ShareMemberships.read(real, SESSION)).containsExactly(sub);
        assertThat(real.exchange(ShareMemberships.EXCHANGE)).hasValueSatisfying(x -> assertThat(x.internal()).isTrue());
        assertThatThrownBy(() -> real.publish(PropertyMapping.fromPublish(ShareMemberships.EXCHANGE, sub.filter(), 1,
                false, MqttProperties.NO_PROPERTIES, new byte[] {1}, "p", "guest", System.currentTimeMillis()), false))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.ACCESS_REFUSED));
        assertThat(real.queue(SESSION).orElseThrow().messageCount()).as("routes nothing to the session").isZero();
    }

    @Test
    void aResumeTakesTheRecordedSubscriptionsJoinsThemAndLeavesTheOnesTheClusterNoLongerHas() throws Exception {
        MqttSession s = new MqttSession("c1");
        Subscriptions.Subscription stale = shared("old", "x", 0, 0); // unsubscribed on another node since
        s.subscriptions.put(stale);
        cluster.join(OLD_GROUP, "x", "c1", true).get(5, TimeUnit.SECONDS);
        Subscriptions.Subscription recorded = shared("g", "t/#", 1, 7); // subscribed on another node
        real.bind(ShareMemberships.binding(recorded, SESSION), null);

        ShareMemberships.resume(s, vhost, cluster).get(5, TimeUnit.SECONDS);
        assertThat(s.subscriptions.all()).containsExactly(recorded);
        assertThat(real.queue(GROUP)).as("the group joined here, its queue declared").isPresent();
        gone(OLD_GROUP);
        assertThat(real.queue(OLD_GROUP)).as("left: it was the group's last member").isEmpty();

        cluster.leave(GROUP, "c1");
        gone(GROUP);
        assertThat(real.queue(GROUP)).as("c1 was this node's member of the group").isEmpty();
    }

    @Test
    void aSessionThatMovedHandsItsMembershipOverAndTheGroupQueueStays() throws Exception {
        cluster.join(GROUP, "t.#", "c1", true).get(5, TimeUnit.SECONDS);
        cluster.handOver(GROUP, "c1");
        settled();
        assertThat(real.queue(GROUP)).as("its messages wait for the session on its new node").isPresent();

        // The session ends on a node it never joined the group on (a clean start there): its record is read, and
        // the group, with no member here either, goes unless used elsewhere.
        MqttSession ending = new MqttSession("c1");
        real.bind(ShareMemberships.binding(shared("g", "t/#", 1, 0), SESSION), null);
        ShareMemberships.recordedToo(ending, vhost, cluster);
        assertThat(ending.subscriptions.all()).extracting(Subscriptions.Subscription::queue).containsExactly(GROUP);
        cluster.leave(GROUP, "c1");
        gone(GROUP);
        assertThat(real.queue(GROUP)).isEmpty();
    }

    @Test
    void anOfflineMemberRecordedForAnotherSessionKeepsTheGroupQueue() throws Exception {
        String other = TopicMapping.sessionQueue("c2");
        real.declareQueue(new QueueSpec(other, true, false, false, Map.of()), null, false);
        Subscriptions.Subscription sub = shared("g", "t/#", 1, 0);
        real.bind(ShareMemberships.binding(sub, other), null); // c2: subscribed, now offline (no consumer)
        real.bind(ShareMemberships.binding(sub, SESSION), null);
        cluster.join(GROUP, "t.#", "c1", true).get(5, TimeUnit.SECONDS);
        cluster.leave(GROUP, "c1");
        settled();
        assertThat(real.queue(GROUP)).as("what is published waits for c2, as on a single node").isPresent();

        real.unbind(ShareMemberships.binding(sub, other), null); // c2 unsubscribed
        cluster.join(GROUP, "t.#", "c1", true).get(5, TimeUnit.SECONDS);
        cluster.leave(GROUP, "c1");
        gone(GROUP); // the deletion completes after the lane's task: settled() can return before it
        assertThat(real.queue(GROUP)).as("the leaving session's own record keeps nothing").isEmpty();
    }

    @Test
    void aBrokerAloneKeepsItsOwnSharedSubscriptions() throws Exception {
        ShareGroups alone = new ShareGroups(real, "amq.topic", lanes);
        MqttSession s = new MqttSession("c1");
        Subscriptions.Subscription own = shared("g", "t/#", 1, 0);
        s.subscriptions.put(own);
        ShareMemberships.resume(s, real, alone).get(5, TimeUnit.SECONDS);
        ShareMemberships.recordedToo(s, real, alone);
        assertThat(s.subscriptions.all()).containsExactly(own);
    }

    private static Subscriptions.Subscription shared(String group, String filter, int qos, int subscriptionId) {
        return new Subscriptions.Subscription("$share/" + group + "/" + filter, filter, group,
                TopicMapping.shareQueue(group, filter), qos, false, false, subscriptionId);
    }

    /** A cluster node's vhost as far as the group queues go: their quorum declaration stands as a classic one. */
    private Vhost node() {
        return (Vhost) Proxy.newProxyInstance(Vhost.class.getClassLoader(), new Class<?>[] {Vhost.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("declareQueueAsync")) {
                        QueueSpec spec = (QueueSpec) args[0];
                        return CompletableFuture.completedFuture(real.declareQueue(
                                new QueueSpec(spec.name(), true, false, false, Map.of()), null, false));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Waits until the group steps asked so far have run. */
    /**
     * Waits up to 5 s for {@code queue} to be deleted: a group's deletion in a cluster completes after the lane's task
     * that asked for it, so {@link #settled} can return before it (a full run under load saw the queue still there).
     */
    private void gone(String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (real.queue(queue).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private void settled() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Thread.sleep(50);
        while (lanes.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
