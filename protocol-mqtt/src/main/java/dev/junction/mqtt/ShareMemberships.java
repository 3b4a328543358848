package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Vhost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent session's share group memberships on a cluster node, recorded where the cluster keeps the rest of
 * the session: as bindings of its replicated session queue. A non-shared subscription is a binding from the MQTT
 * exchange; a shared one cannot be (its messages go to the group's queue, and a binding from the MQTT exchange
 * would route them into the session queue too, twice to the session). Its record is a binding from
 * {@link #EXCHANGE}, an internal exchange nothing can publish to, so it routes nothing: the key is the filter as
 * the client sent it ({@code $share/<group>/<filter>}), the arguments its options. Being the session queue's,
 * the records are committed through the metadata log with the subscription, read by any node the session
 * resumes on (MQTT 5 section 4.8.2: the subscription is the session's), and go with the queue when the session
 * ends. A broker alone and a session that ends with its connection write none.
 */
final class ShareMemberships {
    private static final Logger LOG = LoggerFactory.getLogger(ShareMemberships.class);
    static final String EXCHANGE = "mqtt.share.members";

    private ShareMemberships() {
    }

    /** The records' exchange: durable and replicated, internal (a publish to it is refused), routing by exact key. */
    static ExchangeSpec spec() {
        return new ExchangeSpec(EXCHANGE, "direct", true, false, true, Map.of());
    }

    /** Whether {@code c}'s shared subscriptions are recorded: a cluster node's session that outlives its connection. */
    static boolean recorded(MqttConnection c) {
        return c.server.shares.replicated() && c.sessionExpiry() > 0;
    }

    /** The record of shared subscription {@code sub} of the session whose queue is {@code sessionQueue}. */
    static Binding binding(Subscriptions.Subscription sub, String sessionQueue) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(Subscriptions.QOS, sub.qos());
        args.put(Subscriptions.RETAIN_AS_PUBLISHED, sub.retainAsPublished());
        args.put(Subscriptions.SUBSCRIPTION_ID, sub.subscriptionId());
        return Binding.toQueue(EXCHANGE, sessionQueue, sub.filter(), args);
    }

    /** The shared subscriptions recorded for the session queue {@code sessionQueue}, in no particular order. */
    static List<Subscriptions.Subscription> read(Vhost vhost, String sessionQueue) {
        List<Subscriptions.Subscription> subs = new ArrayList<>();
        for (Binding b : vhost.bindingsTo(sessionQueue)) {
            String[] share = b.source().equals(EXCHANGE) ? TopicMapping.shared(b.routingKey()) : null;
            if (share != null) {
                Map<String, Object> a = b.arguments();
                subs.add(new Subscriptions.Subscription(b.routingKey(), share[1], share[0],
                        TopicMapping.shareQueue(share[0], share[1]), Subscriptions.intArg(a.get(Subscriptions.QOS)),
                        false, Boolean.TRUE.equals(a.get(Subscriptions.RETAIN_AS_PUBLISHED)),
                        Subscriptions.intArg(a.get(Subscriptions.SUBSCRIPTION_ID))));
            }
        }
        return subs;
    }

    /**
     * Whether a session other than the one of {@code exceptQueue} is recorded as a member of the group whose queue
     * is {@code groupQueue}. Looks at every record of the vhost: asked only when a node's last member leaves.
     */
    static boolean recordedMember(Vhost vhost, String groupQueue, String exceptQueue) {
        for (Binding b : vhost.bindingsFrom(EXCHANGE)) {
            String[] share = b.destination().equals(exceptQueue) ? null : TopicMapping.shared(b.routingKey());
            if (share != null && TopicMapping.shareQueue(share[0], share[1]).equals(groupQueue)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records {@code sub} for {@code c}'s session, answered once committed: the session gets its queue first (a
     * session with only shared subscriptions has none otherwise), then the record replaces {@code previous}'s (a
     * SUBSCRIBE again with other options [MQTT-3.8.4-3]). Fails when the connection no longer owns the session.
     */
    static CompletableFuture<Void> write(MqttConnection c, Subscriptions.Subscription sub,
                                         Subscriptions.Subscription previous) {
        Vhost vhost = c.server.vhost;
        String queue = c.session().queueName;
        Binding record = binding(sub, queue);
        return c.server.sessions.queueFor(c.session(), c).thenCompose(owned -> {
            if (!owned) {
                return CompletableFuture.failedFuture(new IllegalStateException("the session was taken over"));
            }
            CompletableFuture<Void> before = previous == null || binding(previous, queue).equals(record)
                    ? CompletableFuture.completedFuture(null)
                    : EngineCalls.attempt(() -> vhost.unbindAsync(binding(previous, queue), null));
            return before.thenCompose(v -> bind(vhost, record));
        });
    }

    /** Removes {@code sub}'s record of the session queue {@code sessionQueue}, answered once committed. */
    static CompletableFuture<Void> erase(Vhost vhost, Subscriptions.Subscription sub, String sessionQueue) {
        return EngineCalls.attempt(() -> vhost.unbindAsync(binding(sub, sessionQueue), null)); // one that is gone: unbind-ok
    }

    /** Binds, declaring the exchange first when this node has none (the first record, or one deleted by hand). */
    private static CompletableFuture<Void> bind(Vhost vhost, Binding record) {
        CompletableFuture<Void> first = vhost.exchange(EXCHANGE).isPresent()
                ? EngineCalls.attempt(() -> vhost.bindAsync(record, null))
                : CompletableFuture.failedFuture(BrokerException.notFound("no exchange '" + EXCHANGE + "'"));
        return first.exceptionallyCompose(error -> EngineCalls.kind(error) != ErrorKind.NOT_FOUND
                ? CompletableFuture.failedFuture(error)
                : EngineCalls.attempt(() -> vhost.declareExchangeAsync(spec(), false))
                        .thenCompose(x -> EngineCalls.attempt(() -> vhost.bindAsync(record, null))));
    }

    /**
     * A session resuming on this node, on its client id's lane, with no connection holding it here before: its
     * shared subscriptions become those the cluster recorded (a node that held it earlier may have missed an
     * UNSUBSCRIBE or a SUBSCRIBE made elsewhere since), the ones this node had and the cluster has not are left,
     * and the recorded ones are joined here (the group queue declared again if the cluster lost it meanwhile). The
     * future completes once every join has; a join refused drops that subscription from the session here, its
     * record stays for a later resume.
     */
    static CompletableFuture<Void> resume(MqttSession s, Vhost vhost, ShareGroups shares) {
        if (s == null || !shares.replicated()) {
            return CompletableFuture.completedFuture(null); // a new session, one held here before, or a broker alone
        }
        List<Subscriptions.Subscription> recorded = read(vhost, s.queueName);
        Set<String> filters = new HashSet<>();
        recorded.forEach(sub -> filters.add(sub.filter()));
        for (Subscriptions.Subscription sub : s.subscriptions.all()) {
            if (sub.shared() && !filters.contains(sub.filter())) {
                s.subscriptions.remove(sub.filter());
                shares.leave(sub.queue(), s.clientId);
            }
        }
        Set<String> refused = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (Subscriptions.Subscription sub : recorded) {
            s.subscriptions.put(sub);
            joins.add(shares.rejoin(sub.queue(), TopicMapping.toBindingKey(sub.topicFilter()), s.clientId)
                    .exceptionally(error -> {
                        LOG.warn("MQTT session '{}' could not join its share group '{}' again: {}", s.clientId,
                                sub.filter(), error.toString());
                        refused.add(sub.filter());
                        return null;
                    }));
        }
        return CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new))
                .thenRun(() -> refused.forEach(s.subscriptions::remove));
    }

    /**
     * A session ending here, in a cluster: the groups of its record are left as well as those it joined here (it
     * may have joined them on another node), so that a group whose last member it was does not outlive it.
     */
    static void recordedToo(MqttSession s, Vhost vhost, ShareGroups shares) {
        if (shares.replicated()) {
            read(vhost, s.queueName).forEach(s.subscriptions::put);
        }
    }
}
