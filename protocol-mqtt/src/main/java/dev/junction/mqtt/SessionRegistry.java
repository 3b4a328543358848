package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.DropReasons;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.Authorization;
import io.micrometer.core.instrument.Counter;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT sessions of one vhost by client id: which connection owns each, takeover, session expiry and the end of
 * a session. Everything that changes a client id's session runs on that client id's lane ({@link ClientLanes}), one
 * task at a time and in the order asked, with no lock: two CONNECTs with one client id, a connection's close and
 * the expiry timer never interleave, and nothing waits for another client id. Results come back as futures, which
 * each connection completes on its own event loop.
 *
 * <p>A session's {@code owner} and {@code expiry} are touched only on its client id's lane; the map is concurrent so
 * that lookups from other threads see whole entries.
 */
final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    private final Vhost vhost;
    private final MqttConfig config;
    private final Authorization authorization;
    private final ClientLanes lanes;
    private final ScheduledExecutorService timer;
    private final StoredSessions stored;
    private final Wills wills;
    private final ShareGroups shares;
    private final Counter queueFull;
    private final Map<String, MqttSession> sessions = new ConcurrentHashMap<>();
    /** Who holds each client id across a cluster's nodes; set once at start, before any CONNECT. */
    private ClientIdClaims claims = ClientIdClaims.LOCAL;
    private SupersededSessions superseded;

    SessionRegistry(Vhost vhost, MqttConfig config, Authorization authorization, ClientLanes lanes,
                    ScheduledExecutorService timer, StoredSessions stored, Wills wills, ShareGroups shares,
                    Counter queueFull) {
        this.vhost = vhost;
        this.config = config;
        this.authorization = authorization;
        this.lanes = lanes;
        this.timer = timer;
        this.stored = stored;
        this.wills = wills;
        this.shares = shares;
        this.queueFull = queueFull;
    }

    /** {@code rejoined}: the share groups a session resumed from the cluster's record joins here (answered after). */
    record Attached(MqttSession session, boolean present, MqttConnection previous, CompletableFuture<Void> rejoined) {
    }

    private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);
    /** The answer to a CONNECT whose client id was claimed again, on another node, before it was attached. */
    static final Attached OVERTAKEN = new Attached(null, false, null, NONE);
    /** The answer to a CONNECT given up before its session was attached ({@link SessionSetupDeadline}). */
    static final Attached ABANDONED = new Attached(null, false, null, NONE);

    /**
     * Client ids are claimed through {@code clientIds} (a cluster's, docs/cluster.md); {@code superseded} acts on
     * the sessions of this node that a connection of another node took over or resumed since.
     */
    void claimsThrough(ClientIdClaims clientIds, SupersededSessions superseded) {
        this.claims = clientIds;
        this.superseded = superseded;
        superseded.watch(this);
    }

    /** The session of {@code clientId} this node keeps, or null. */
    MqttSession session(String clientId) {
        return sessions.get(clientId);
    }

    /** The client ids of the sessions this node keeps now. */
    Set<String> clientIds() {
        return sessions.keySet();
    }

    /**
     * Makes {@code conn} the owner of the client id's session [MQTT-3.1.2-4, MQTT-3.1.2-5]; the previous owner, if
     * any, must be disconnected by the caller [MQTT-3.1.4-2]. A session found only as a durable queue (after a
     * restart) is rebuilt from its bindings. A session whose connection asked for it to end with the connection
     * (Clean Session 1, Session Expiry 0) is not resumed even when that connection's close is still on its way: the
     * network connection is over (it is being taken over) or about to be, so the session is new and CONNACK says
     * so [MQTT-3.1.2-6, MQTT-3.2.2-2]. A session queue that exists is kept; a session without one gets it with its
     * first subscription ({@link #queueFor}). Once attached, the session counts as connected (its record says so).
     *
     * <p>A session belongs to the user who created it: for any other {@code user} the future holds null and nothing
     * changed (the session, its queued messages and its live connection stay as they are); with clean start as
     * well, since ending the session would be taking it from its owner. A session without an owner (stored
     * before owners were kept) is claimed by the user who resumes it.
     */
    CompletableFuture<Attached> attach(String clientId, MqttConnection conn, boolean cleanStart, long expirySeconds,
                                       String user, long claim, SessionSetupDeadline deadline) {
        return lanes.submit(clientId, () -> {
            if (deadline.abandoned()) {
                claims.release(vhost.name(), clientId, claim); // its connection is gone: the id is held by nobody
                return ABANDONED;
            }
            return attachNow(clientId, conn, cleanStart, expirySeconds, user, claim);
        }).thenCompose(a -> a == null ? CompletableFuture.completedFuture(a) : a.rejoined().thenApply(v -> a));
    }

    /** Gives a CONNECT up on its client id's lane: an attach asked after this finds it so and attaches nothing. */
    CompletableFuture<Void> abandon(String clientId, SessionSetupDeadline deadline) {
        return lanes.submit(clientId, () -> {
            deadline.abandon();
            return null;
        });
    }

    private Attached attachNow(String clientId, MqttConnection conn, boolean cleanStart, long expirySeconds,
                               String user, long claim) {
        if (!claims.holds(vhost.name(), clientId, claim)) {
            return OVERTAKEN; // a later claim (another node's) holds the client id: that connection wins
        }
        MqttSession s = sessions.get(clientId);
        if (s != null && s.owner == null && SessionQueueSpec.quorum(config)) {
            s = replicated(s);
        }
        if (s != null && s.user != null && !s.user.equals(user)) {
            return null;
        }
        // A session the cluster knows only by its QoS 2 ids (it never subscribed) is resumed all the same.
        if (s == null && (vhost.queue(TopicMapping.sessionQueue(clientId)).isPresent()
                || !cleanStart && stored.qos2().known(clientId))) {
            s = MqttSession.recover(clientId, vhost, config.exchange());
            s.durable = true;
            sessions.put(clientId, s);
        }
        if (s != null && s.user == null) {
            LOG.info("MQTT session '{}' had no recorded owner; user '{}' claims it", clientId, user);
        }
        MqttConnection previous = null;
        boolean present = false;
        if (s != null) {
            previous = s.owner;
            s.owner = null;
            s.cancelExpiry();
            // A session resumed before its will delay passed does not send the will [MQTT-3.1.3-9].
            s.cancelWill();
            if (cleanStart || (previous != null && previous.sessionExpiry() == 0)) {
                endSession(s);
                s = null;
            } else {
                present = true;
            }
        }
        // A session no connection held here takes its shared subscriptions from the cluster's record.
        var rejoined = ShareMemberships.resume(present && previous == null ? s : null, vhost, shares);
        if (s == null) {
            s = new MqttSession(clientId);
            sessions.put(clientId, s);
            stored.qos2().startedAfresh(clientId, claim);
        } else {
            stored.qos2().resumed(s);
        }
        s.user = user;
        authorization.claim(s.queueName, user);
        s.owner = conn;
        s.claim = claim;
        vhost.onDropped(s.queueName, this::countDrop); // when it has a queue: see queueFor
        s.connected(expirySeconds);
        stored.persist(s);
        return new Attached(s, present, previous, rejoined);
    }

    /**
     * Declares the session's queue for its first subscription, on the client id's lane: a session with nothing to
     * queue has no queue, which is most of what an idle device would cost. Durable when the session outlives its
     * connection ({@code conn}'s Session Expiry Interval > 0), decided on the lane like every other change of the
     * session, so racing CONNECTs for one client id never disagree on it [MQTT-3.1.2-4]. The future holds false,
     * and nothing is declared, when {@code conn} no longer owns the session (it is being taken over); it fails with
     * the engine's exception when a limit (max_queues) or the memory alarm refuses the queue.
     */
    CompletableFuture<Boolean> queueFor(MqttSession s, MqttConnection conn) {
        return lanes.submit(s.clientId, () -> {
            if (s.owner != conn || sessions.get(s.clientId) != s) {
                return false;
            }
            if (vhost.queue(s.queueName).isEmpty()) {
                vhost.declareQueue(SessionQueueSpec.of(s.queueName, conn.sessionExpiry() > 0, config), null, false);
            }
            vhost.onDropped(s.queueName, this::countDrop);
            s.queued = true;
            return true;
        });
    }

    /**
     * A session in a quorum queue that no connection holds here may have been resumed, changed or ended on another
     * node of the cluster since: its subscriptions are read again from its queue's replicated bindings, and a
     * session whose queue is gone (it had one) was ended elsewhere, so this node forgets it without deleting
     * anything; its pending will is dropped with it. Null then. On the client id's lane.
     */
    private MqttSession replicated(MqttSession s) {
        if (vhost.queue(s.queueName).isPresent()) {
            s.readBindings(vhost, config.exchange());
            return s;
        }
        if (!s.queued) {
            return s; // never subscribed: nothing of it is replicated
        }
        LOG.debug("MQTT session '{}' was ended on another node", s.clientId);
        forget(s);
        return null;
    }

    /**
     * This node lets go of a session that lives on elsewhere in the cluster (or ended there): its record, timers,
     * pending will and shared memberships go, its queue and bindings, which are the cluster's, stay. The group
     * queues stay too: the node the session lives on joins them from its record, and the one that ended it left them.
     */
    void forget(MqttSession s) {
        s.cancelExpiry();
        s.cancelWill();
        for (Subscriptions.Subscription sub : s.subscriptions.all()) {
            if (sub.shared()) {
                shares.handOver(sub.queue(), s.clientId);
            }
        }
        if (sessions.remove(s.clientId, s)) {
            authorization.release(s.queueName);
        }
        stored.ended(s);
    }

    void countDrop(String reason) {
        if (DropReasons.MAXLEN.equals(reason)) {
            queueFull.increment();
        }
    }

    /**
     * The connection {@code conn} closed: its will (unless discarded) goes out now or after its delay, and the
     * session ends now or when its expiry interval has passed, unless another connection took it over meanwhile
     * (then only an undelayed will goes out, and the new owner decides the rest).
     */
    void closed(MqttSession s, MqttConnection conn, Will will, boolean takenOver, long expirySeconds) {
        if (will != null) {
            if (takenOver) {
                if (will.delaySeconds() == 0) {
                    wills.publish(will);
                }
            } else {
                lanes.run(s.clientId, () -> wills.schedule(s, will, sessions.get(s.clientId) == s));
            }
        }
        lanes.run(s.clientId, () -> detach(s, conn, expirySeconds));
    }

    private void detach(MqttSession s, MqttConnection conn, long expirySeconds) {
        if (s.owner != conn) {
            return; // taken over: the new owner decides
        }
        s.owner = null;
        s.disconnected(expirySeconds, System.currentTimeMillis());
        if (expirySeconds == 0) {
            claims.ended(vhost.name(), s.clientId, s.claim); // the id is free for any user again
            endSession(s);
            return;
        }
        claims.release(vhost.name(), s.clientId, s.claim); // the id stays its user's while the session lives
        if (expirySeconds != MqttConfig.NEVER_EXPIRE) {
            armExpiry(s, TimeUnit.SECONDS.toMillis(expirySeconds));
        }
        stored.persist(s); // write-behind: at worst a crash keeps the session for the full interval from the restart
    }

    /**
     * In a cluster the expiry first waits until this node has caught up with the claims (alone: at once); one that
     * fired for an earlier disconnection of the session, resumed and left again meanwhile, is not due any more.
     */
    void armExpiry(MqttSession s, long delayMs) {
        long at = s.disconnectedAt;
        s.expiry = timer.schedule(() -> superseded.whenCaughtUp(() -> lanes.run(s.clientId, () -> {
            if (s.disconnectedAt == at) {
                expire(s);
            }
        }), () -> sessions.get(s.clientId) == s, "the expiry of MQTT session " + s.clientId),
                delayMs, TimeUnit.MILLISECONDS);
    }

    private void expire(MqttSession s) {
        if (s.owner == null && sessions.get(s.clientId) == s) {
            if (superseded.superseded(s) || SessionQueueSpec.quorum(config)
                    && vhost.queue(s.queueName).map(QueueInfo::consumerCount).orElse(0) > 0) {
                // Resumed on another node of the cluster since this node's record (its expiry is that node's), or
                // a connection there consumes from it: the session lives on there.
                forget(s);
                return;
            }
            LOG.debug("MQTT session '{}' expired", s.clientId);
            claims.ended(vhost.name(), s.clientId, ClientIdClaims.LOCAL_CLAIM);
            endSession(s);
        }
    }

    /** Ends the session: its record, share memberships, queue, and its pending will goes out. On its lane. */
    void endSession(MqttSession s) {
        if (sessions.remove(s.clientId, s)) {
            authorization.release(s.queueName);
        }
        stored.ended(s);
        stored.qos2().ended(s);
        ShareMemberships.recordedToo(s, vhost, shares); // a cluster's: groups it may have joined elsewhere
        for (Subscriptions.Subscription sub : s.subscriptions.all()) {
            if (sub.shared()) {
                shares.leave(sub.queue(), s.clientId);
            }
        }
        s.subscriptions.clear();
        vhost.deleteQueue(s.queueName, false, false, null);
        // The will goes out no later than the session's end [MQTT-3.1.3-9].
        Will pending = s.takeWill();
        if (pending != null) {
            wills.publish(pending);
        }
    }

    /**
     * The session queue {@code queueName} was deleted over AMQP by its owner or an administrator: the session ends
     * with it. A live connection is disconnected (MQTT 5: DISCONNECT Administrative action), the stored record is
     * removed, shared memberships are left, and a pending will goes out as at any session end. A session other
     * than the one known at the delete, or whose queue exists again when this runs, was started after the delete
     * (a clean start, which declares its queue with its first subscription): it is not the one deleted, and stays.
     */
    void sessionQueueDeleted(String queueName) {
        String clientId = queueName.substring(TopicMapping.sessionQueue("").length());
        MqttSession atDelete = sessions.get(clientId);
        lanes.run(clientId, () -> {
            MqttSession s = sessions.get(clientId);
            if (s != null && (s != atDelete || vhost.queue(queueName).isPresent())) {
                return; // a session started after the delete (it may have no queue yet)
            }
            MqttConnection live = null;
            if (s != null) {
                live = s.owner;
                s.owner = null;
                s.cancelExpiry();
                // A live connection's claim ends with the session here: its close no longer detaches anything.
                claims.ended(vhost.name(), clientId, live != null ? s.claim : ClientIdClaims.LOCAL_CLAIM);
                endSession(s);
            } else {
                claims.ended(vhost.name(), clientId, ClientIdClaims.LOCAL_CLAIM);
                stored.delete(clientId);
            }
            LOG.info("MQTT session '{}' ended: its queue was deleted over AMQP", clientId);
            if (live != null) {
                MqttConnection conn = live;
                try {
                    conn.onLoop(() -> conn.closeWith(ReasonCode.ADMINISTRATIVE_ACTION));
                } catch (RejectedExecutionException gone) {
                    // its event loop has stopped: the connection is closed already
                }
            }
        });
    }

    /** The sessions known now: every connected client's, and the persistent ones awaiting their expiry. */
    int size() {
        return sessions.size();
    }

    /** Adds a session rebuilt at start; on its lane. */
    void restored(MqttSession s) {
        sessions.put(s.clientId, s);
        vhost.onDropped(s.queueName, this::countDrop);
    }
}
