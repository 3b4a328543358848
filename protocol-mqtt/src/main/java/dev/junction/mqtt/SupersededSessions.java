package dev.junction.mqtt;

import dev.junction.routing.api.ClientIdClaims;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In a cluster, the sessions of this node that a connection of another node superseded (docs/cluster.md, "Client
 * ids and takeover" and "Session expiry and wills"). A live connection whose claim of its client id a later claim
 * elsewhere overtook is closed as taken over [MQTT-3.1.4-2]. A session this node keeps without a connection was
 * resumed there, maybe while this node was down, and may have been left again since: the registry of client ids
 * remembers which node made the latest claim of each id after its connection released it
 * ({@link ClientIdClaims#lastClaimedElsewhere}), and after the session ended there (a Clean Start, its expiry) for
 * as long as the registry keeps its tombstone, so a node that catches up with the metadata log learns of it even
 * when nobody holds the id any more. Such a session's will must not go out [MQTT-3.1.3-9] and its expiry is the
 * other node's: this node forgets it. Alone nothing is ever superseded and {@link #whenCaughtUp} runs at once.
 */
final class SupersededSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SupersededSessions.class);
    private static final long RETRY_MS = 1000;

    private final ClientIdClaims claims;
    private final String vhost;
    private final ScheduledExecutorService timer;
    private final ClientLanes lanes;
    /** The sessions acted on; set once at start, before any CONNECT. */
    private SessionRegistry sessions;

    SupersededSessions(ClientIdClaims claims, String vhost, ScheduledExecutorService timer, ClientLanes lanes) {
        this.claims = claims;
        this.vhost = vhost;
        this.timer = timer;
        this.lanes = lanes;
    }

    /** Listens to the claims made on the other nodes, for the sessions of {@code registry}. */
    void watch(SessionRegistry registry) {
        this.sessions = registry;
        claims.onLost((vhostName, clientId) -> {
            if (vhostName.equals(vhost)) {
                lanes.run(clientId, () -> lostElsewhere(clientId));
            }
        });
        claims.onClaimedElsewhere((vhostName, clientId) -> {
            // Told of every CONNECT on the other nodes: only a client id with a session here costs a lane task.
            if (vhostName.equals(vhost) && sessions.session(clientId) != null) {
                lanes.run(clientId, () -> resumedElsewhere(clientId, false));
            }
        });
    }

    /**
     * At start, once this node has caught up with the claims: every session restored from this node's record that
     * a connection of another node superseded since, also one that has gone again, is forgotten [MQTT-3.1.3-9].
     */
    void forgetRestored() {
        if (claims == ClientIdClaims.LOCAL) {
            return; // alone: nothing is superseded
        }
        whenCaughtUp(() -> sessions.clientIds().forEach(id -> lanes.run(id, () -> resumedElsewhere(id, true))),
                () -> true, "forgetting the MQTT sessions resumed on other nodes");
    }

    /**
     * On the client id's lane: the live connection of the session goes as taken over (MQTT 5: DISCONNECT Session
     * taken over) unless its own claim is still the latest, as the local takeover does; its close then detaches
     * the session here as any close does (the will only if undelayed [MQTT-3.1.3-9]).
     */
    private void lostElsewhere(String clientId) {
        MqttSession s = sessions.session(clientId);
        if (s != null && s.owner != null && !claims.holds(vhost, clientId, s.claim)) {
            LOG.info("MQTT client '{}' connected to another node of the cluster: taking over its connection here",
                    clientId);
            s.owner.takenOver();
        }
    }

    /**
     * On the client id's lane: a session this node keeps without a connection, whose client id a connection of
     * another node claimed. If that node's connection still holds the id (as the claims applied so far say: a claim
     * replayed from the log at a restart, since overtaken or released, does not count), or, once {@code caughtUp}
     * with the log, the latest claim was another node's (held or released), the session was resumed there: a
     * delayed will pending here must not go out [MQTT-3.1.3-9], and its expiry is that node's now, so this node
     * forgets the session; its queue and bindings are the cluster's and stay. A session with a connection here is
     * left to the takeover.
     */
    private void resumedElsewhere(String clientId, boolean caughtUp) {
        MqttSession s = sessions.session(clientId);
        if (s != null && s.owner == null && (caughtUp ? superseded(s) : claims.heldElsewhere(vhost, clientId))) {
            LOG.debug("MQTT session '{}' was resumed on another node of the cluster", clientId);
            sessions.forget(s);
        }
    }

    /**
     * Whether {@code s}, which no connection of this node holds, was connected on another node after this node's
     * last connection of it, as this node has applied the claims so far. On the client id's lane.
     */
    boolean superseded(MqttSession s) {
        return s.owner == null && claims.lastClaimedElsewhere(vhost, s.clientId);
    }

    /**
     * Runs {@code then} once this node has applied every claim the cluster had committed when asked (alone: at
     * once, on the caller's thread). A node that cannot reach the cluster's leader (just restarted, or cut off)
     * cannot tell whether a session was resumed elsewhere, so it asks again a second later while {@code wanted}
     * says so; a stopped timer ends the waiting.
     */
    void whenCaughtUp(Runnable then, BooleanSupplier wanted, String why) {
        claims.caughtUp().whenComplete((ok, failed) -> {
            if (failed == null) {
                then.run();
            } else if (wanted.getAsBoolean()) {
                LOG.debug("{} waits for the cluster's claims: {}", why, failed.getMessage());
                try {
                    timer.schedule(() -> whenCaughtUp(then, wanted, why), RETRY_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopped) {
                    // the server is stopping: nothing is due any more
                }
            }
        });
    }
}
