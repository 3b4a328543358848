package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExactlyOnceIds;
import dev.junction.routing.api.Vhost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The server side of an MQTT session: its queue ({@code mqtt.session.<clientId>}) holds the messages, its
 * subscriptions are bindings to that queue, and this object keeps the rest. {@code subscriptions} is touched
 * only by the owning connection's event loop (and by its client id's lane once no connection owns it); ownership
 * ({@code owner}, {@code expiry}) moves only on the client id's lane ({@link SessionRegistry}), which orders the
 * hand-over. The state mirrored into the store (packet ids, expiry, pending will) is guarded by this object's
 * monitor, which {@link StoredSessions#persist} holds while it encodes and hands the record to the store, so records
 * reach the store in the order of the changes. No other lock is taken while it is held.
 */
final class MqttSession {
    final String clientId;
    final String queueName;
    final Subscriptions subscriptions = new Subscriptions();

    // Guarded by this.
    /** Inbound QoS 2 packet ids answered with PUBREC and waiting for PUBREL [MQTT-4.3.3-10]. */
    private Set<Integer> inboundQos2; // both made when first needed: most sessions never use QoS 2
    /** Outbound QoS 2 packet ids whose PUBREC arrived but whose PUBCOMP did not: PUBREL is resent [MQTT-4.4.0-1]. */
    private Set<Integer> pendingRelease;
    /** The QoS 2 ids as this node last put them into the cluster or took them from it ({@link SharedQos2Ids}). */
    ExactlyOnceIds.Pending sharedQos2 = ExactlyOnceIds.Pending.NONE;
    /** Whether the state is mirrored into the store: the session may outlive its connection. */
    boolean durable;
    /** Set when the session ended; its record is deleted and no longer written. */
    boolean ended;
    long expiryInterval;
    /** When the last connection closed (epoch ms); 0 while a connection owns the session. */
    long disconnectedAt;
    /** Nothing written yet: one completed future for every session (only ever waited on, never completed). */
    private static final CompletableFuture<Void> NOTHING_WRITTEN = CompletableFuture.completedFuture(null);
    /** The future of the last record handed to the store. */
    CompletableFuture<Void> lastWrite = NOTHING_WRITTEN;
    /** In a cluster, the future of the last put of the QoS 2 ids ({@link SharedQos2Ids}). */
    CompletableFuture<Void> lastShared = NOTHING_WRITTEN;
    private Will will;
    private long willDueAt;
    private ScheduledFuture<?> willTimer;

    /**
     * The user the session belongs to: the one whose connection created it. Another user presenting the client id
     * is refused. Null only for a session stored before owners were recorded; the next user to connect claims it.
     * Set on the client id's lane; volatile because the stored record reads it.
     */
    volatile String user;

    // Touched only on the client id's lane.
    MqttConnection owner;
    /**
     * The owner's claim of the client id across a cluster ({@code ClientIdClaims}); 0 on a single node. Volatile: the
     * cluster's copy of the QoS 2 ids is put in its name from the owner's event loop ({@link SharedQos2Ids}).
     */
    volatile long claim;
    ScheduledFuture<?> expiry;
    /** Whether this node has seen the session's queue (a session has one from its first subscription). */
    boolean queued;

    MqttSession(String clientId) {
        this.clientId = clientId;
        this.queueName = TopicMapping.sessionQueue(clientId);
    }

    /**
     * Rebuilds a session from its durable queue's bindings (the options travel in the binding arguments). Only the
     * queue's own bindings are read, so rebuilding one session costs its subscriptions, not every subscription of
     * the MQTT exchange.
     */
    static MqttSession recover(String clientId, Vhost vhost, String exchange) {
        MqttSession s = new MqttSession(clientId);
        s.readBindings(vhost, exchange);
        return s;
    }

    /**
     * Takes the non-shared subscriptions from the queue's bindings again, which another node of a cluster may have
     * changed (a binding carries the subscription's options); shared ones stay (a cluster node resuming the session
     * takes them from the cluster's record, {@link ShareMemberships#resume}). On the lane.
     */
    void readBindings(Vhost vhost, String exchange) {
        for (Subscriptions.Subscription sub : subscriptions.all()) {
            if (!sub.shared()) {
                subscriptions.remove(sub.filter());
            }
        }
        for (Binding b : vhost.bindingsTo(queueName)) {
            if (b.source().equals(exchange) && b.arguments().containsKey(Binding.MQTT_FILTER_ARGUMENT)) {
                subscriptions.put(Subscriptions.Subscription.fromBinding(b));
            }
        }
        queued |= vhost.queue(queueName).isPresent(); // a stored session that never subscribed has none
    }

    synchronized boolean hasInboundQos2(int packetId) {
        return inboundQos2 != null && inboundQos2.contains(packetId);
    }

    synchronized void addInboundQos2(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new HashSet<>();
        }
        inboundQos2.add(packetId);
    }

    synchronized boolean removeInboundQos2(int packetId) {
        return inboundQos2 != null && inboundQos2.remove(packetId);
    }

    synchronized void addPendingRelease(int packetId) {
        if (pendingRelease == null) {
            pendingRelease = new LinkedHashSet<>();
        }
        pendingRelease.add(packetId);
    }

    synchronized boolean removePendingRelease(int packetId) {
        return pendingRelease != null && pendingRelease.remove(packetId);
    }

    synchronized List<Integer> pendingReleaseIds() {
        return pendingRelease == null ? List.of() : List.copyOf(pendingRelease);
    }

    /** The QoS 2 ids now: inbound in ascending order, outbound in the order their PUBRELs went out. */
    synchronized ExactlyOnceIds.Pending qos2Ids() {
        if (inboundQos2 == null && pendingRelease == null) {
            return ExactlyOnceIds.Pending.NONE;
        }
        return new ExactlyOnceIds.Pending(inboundQos2 == null ? List.of() : inboundQos2.stream().sorted().toList(),
                pendingRelease == null ? List.of() : List.copyOf(pendingRelease));
    }

    /** Takes the QoS 2 ids the cluster holds for the session in place of this node's ({@link SharedQos2Ids}). */
    synchronized void adoptQos2(ExactlyOnceIds.Pending shared) {
        inboundQos2 = shared.received().isEmpty() ? null : new HashSet<>(shared.received());
        pendingRelease = shared.released().isEmpty() ? null : new LinkedHashSet<>(shared.released());
        sharedQos2 = shared;
    }

    /** A connection took the session over; its record says so until the connection closes. */
    synchronized void connected(long expirySeconds) {
        expiryInterval = expirySeconds;
        disconnectedAt = 0;
        if (expirySeconds > 0) {
            durable = true;
        }
    }

    synchronized void disconnected(long expirySeconds, long at) {
        expiryInterval = expirySeconds;
        disconnectedAt = at;
    }

    /** The state to store. Call with this monitor held. */
    SessionCodec.State state() {
        List<SessionCodec.SharedSub> shared = new ArrayList<>();
        for (Subscriptions.Subscription s : subscriptions.all()) {
            if (s.shared()) {
                shared.add(new SessionCodec.SharedSub(s.filter(), s.qos(), s.retainAsPublished(), s.subscriptionId()));
            }
        }
        return new SessionCodec.State(expiryInterval, disconnectedAt,
                inboundQos2 == null ? List.of() : List.copyOf(inboundQos2),
                pendingRelease == null ? List.of() : List.copyOf(pendingRelease), shared, will, willDueAt, user);
    }

    /** Takes the packet ids of a stored record back (at start-up). */
    synchronized void restore(SessionCodec.State st) {
        st.inboundQos2().forEach(this::addInboundQos2);
        st.pendingRelease().forEach(this::addPendingRelease);
        // Not put into a cluster at start: this node's record may be older than what the cluster holds, which a
        // connection resuming the session takes instead (SharedQos2Ids#resumed).
        sharedQos2 = qos2Ids();
        user = st.user();
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    synchronized void setWill(Will w, long dueAt, ScheduledFuture<?> timer) {
        this.will = w;
        this.willDueAt = dueAt;
        this.willTimer = timer;
    }

    synchronized boolean hasWill() {
        return will != null;
    }

    synchronized void cancelWill() {
        takeWill();
    }

    /** The pending delayed will, removed so it is published at most once. */
    synchronized Will takeWill() {
        Will w = will;
        if (willTimer != null) {
            willTimer.cancel(false);
        }
        will = null;
        willDueAt = 0;
        willTimer = null;
        return w;
    }
}
