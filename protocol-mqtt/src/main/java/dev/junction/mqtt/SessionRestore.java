package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.Authorization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: rebuilds every stored session of the vhost and every durable session queue without a record (kept
 * for the configured maximum from now). A session whose connection was open when the broker stopped counts as
 * disconnected at start. Expired sessions end (their delayed will goes out; in a cluster through the expiry timer,
 * which first catches up with the claims of other nodes); timers are re-armed with the time left, and wills whose
 * delay passed are published. Each session is rebuilt on its client id's lane, so a timer
 * armed for it cannot fire into a half-built session; start waits until all are done.
 */
final class SessionRestore {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRestore.class);

    private final Vhost vhost;
    private final MqttConfig config;
    private final Authorization authorization;
    private final ClientLanes lanes;
    private final StoredSessions stored;
    private final SessionRegistry registry;
    private final Wills wills;
    private final ShareGroups shares;
    private final boolean clustered;

    /**
     * {@code clustered}: a node of a cluster, whose record of a session a connection on another node may have
     * superseded while it was down; an expiry due already then waits, as any expiry there, until this node has
     * caught up with the claims ({@link SupersededSessions}).
     */
    SessionRestore(Vhost vhost, MqttConfig config, Authorization authorization, ClientLanes lanes,
                   StoredSessions stored, SessionRegistry registry, Wills wills, ShareGroups shares,
                   boolean clustered) {
        this.vhost = vhost;
        this.config = config;
        this.authorization = authorization;
        this.lanes = lanes;
        this.stored = stored;
        this.registry = registry;
        this.wills = wills;
        this.shares = shares;
        this.clustered = clustered;
    }

    void run() {
        long now = System.currentTimeMillis();
        Map<String, SessionCodec.State> records = new LinkedHashMap<>();
        Set<String> unreadable = new HashSet<>();
        stored.all().forEach((clientId, data) -> {
            try {
                records.put(clientId, SessionCodec.decode(data));
            } catch (RuntimeException e) {
                // Left in the store untouched; the session is still rebuilt from its queue when the client returns.
                LOG.warn("cannot read the stored MQTT session '{}': {}", clientId, e.getMessage());
                unreadable.add(clientId);
            }
        });
        Set<String> ids = new LinkedHashSet<>(records.keySet());
        String prefix = TopicMapping.sessionQueue("");
        for (String name : vhost.queueNames(prefix)) {
            if (vhost.queue(name).map(QueueInfo::spec).filter(spec -> spec.durable()).isPresent()) {
                ids.add(name.substring(prefix.length()));
            }
        }
        ids.removeAll(unreadable);
        AtomicInteger ended = new AtomicInteger();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (String clientId : ids) {
            SessionCodec.State st = records.get(clientId);
            done.add(lanes.run(clientId, () -> {
                if (!restore(clientId, st, now)) {
                    ended.incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join(); // start-up thread, not an event loop
        if (!ids.isEmpty()) {
            LOG.info("restored {} MQTT sessions; {} expired while the broker was down", ids.size() - ended.get(),
                    ended.get());
        }
    }

    /** Rebuilds one session; false when it had expired and was ended instead. */
    private boolean restore(String clientId, SessionCodec.State st, long now) {
        MqttSession s = MqttSession.recover(clientId, vhost, config.exchange());
        s.durable = true;
        registry.restored(s);
        long interval = config.maxSessionExpirySeconds();
        long disconnectedAt = now;
        if (st != null) {
            s.restore(st);
            if (s.user != null) {
                authorization.claim(s.queueName, s.user);
            }
            interval = Math.min(st.expiryInterval(), config.maxSessionExpirySeconds());
            disconnectedAt = st.disconnectedAt() == 0 ? now : Math.min(st.disconnectedAt(), now);
            for (SessionCodec.SharedSub sub : st.shared()) {
                rejoin(s, sub);
            }
            if (st.will() != null) {
                s.setWill(st.will(), st.willDueAt(), null);
            }
        }
        s.disconnected(interval, disconnectedAt);
        long left = interval == MqttConfig.NEVER_EXPIRE ? Long.MAX_VALUE
                : disconnectedAt + TimeUnit.SECONDS.toMillis(interval) - now;
        if (left <= 0 && !clustered) {
            LOG.debug("MQTT session '{}' expired while the broker was down", clientId);
            registry.endSession(s);
            return false;
        }
        if (interval != MqttConfig.NEVER_EXPIRE) {
            registry.armExpiry(s, Math.max(0, left));
        }
        if (st != null && st.will() != null) {
            // Due already or not, through the timer: in a cluster the will first waits until this node has caught
            // up with the claims of the client id, which tell whether the session resumed on another node while
            // this one was down (then the will must not go out [MQTT-3.1.3-9]).
            wills.arm(s, st.will(), st.willDueAt());
        }
        stored.persist(s);
        return true;
    }

    private void rejoin(MqttSession s, SessionCodec.SharedSub sub) {
        String[] share = TopicMapping.shared(sub.filter());
        if (share == null) {
            return;
        }
        String queue = TopicMapping.shareQueue(share[0], share[1]);
        try {
            // Waits on this client id's lane for the group's lane, which waits for nothing (start-up only).
            shares.rejoin(queue, TopicMapping.toBindingKey(share[1]), s.clientId).join();
            s.subscriptions.put(new Subscriptions.Subscription(sub.filter(), share[1], share[0], queue, sub.qos(),
                    false, sub.retainAsPublished(), sub.subscriptionId()));
        } catch (CompletionException | IllegalArgumentException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof BrokerException || cause instanceof IllegalArgumentException)) {
                throw e;
            }
            LOG.warn("could not restore the shared subscription '{}' of MQTT session '{}': {}", sub.filter(),
                    s.clientId, cause.getMessage());
        }
    }
}
