package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Will messages: published when a connection ends without a DISCONNECT that discards them [MQTT-3.1.2-8], at once
 * or after the Will Delay Interval, and no later than the end of their session [MQTT-3.1.3-9]. A delayed will is
 * part of its session's record, so that it still goes out (late, or at once if its time passed) after a restart.
 * Timers fire on the shared timer thread and hand the will over to the client id's lane, where everything else
 * about the session happens.
 */
final class Wills {
    private static final Logger LOG = LoggerFactory.getLogger(Wills.class);

    private final ScheduledExecutorService timer;
    private final ClientLanes lanes;
    private final StoredSessions stored;
    private final MqttServer server;
    private final SupersededSessions superseded;

    Wills(ScheduledExecutorService timer, ClientLanes lanes, StoredSessions stored, MqttServer server,
          SupersededSessions superseded) {
        this.timer = timer;
        this.lanes = lanes;
        this.stored = stored;
        this.server = server;
        this.superseded = superseded;
    }

    /** Publishes {@code will} now; a refusal by the engine is logged (nobody is left to tell). Any thread. */
    void publish(Will will) {
        try {
            server.publish(will.topic(), will.retain(), will.message(), false);
        } catch (BrokerException e) {
            LOG.warn("could not publish the will on '{}': {}", will.topic(), e.getMessage());
        }
    }

    /**
     * The connection owning {@code s} ended abnormally: its will goes out now (no delay, or the session is no
     * longer the client id's current one), else when its delay has passed. On the client id's lane.
     */
    void schedule(MqttSession s, Will will, boolean current) {
        if (will.delaySeconds() <= 0 || !current) {
            publish(will);
            return;
        }
        arm(s, will, System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(will.delaySeconds()));
        stored.persist(s);
    }

    /**
     * Sets the session's pending will, due at {@code dueAt} (epoch ms). It is taken, at most once, by whichever
     * comes first: the timer, the session's end, or a new connection resuming the session before the delay
     * passed (which cancels it [MQTT-3.1.3-9]). On the client id's lane, or at start.
     */
    void arm(MqttSession s, Will will, long dueAt) {
        long delay = Math.max(0, dueAt - System.currentTimeMillis());
        s.setWill(will, dueAt, timer.schedule(() -> superseded.whenCaughtUp(() -> lanes.run(s.clientId, () -> due(s)),
                s::hasWill, "the will of MQTT session " + s.clientId), delay, TimeUnit.MILLISECONDS));
    }

    /**
     * The delay passed and this node has applied the cluster's claims (alone: at once; a node that cannot reach the
     * cluster's leader asks again each second while the will is pending, and the session's end still sends it at
     * the latest [MQTT-3.1.3-9]). On the client id's lane. A session this node keeps without a connection that a
     * connection of another node claimed after this node's own last one was resumed there before the delay passed,
     * perhaps while this node was down, and whether or not that connection has gone since (this node learns of it
     * from the log as it catches up, often only after its restart rearmed the will): the will must not go out
     * [MQTT-3.1.3-9]; that connection's own will is its node's.
     */
    private void due(MqttSession s) {
        Will w = s.takeWill();
        if (w == null) {
            return;
        }
        if (superseded.superseded(s)) {
            LOG.debug("MQTT session '{}' was resumed on another node of the cluster: its will here is not sent",
                    s.clientId);
        } else {
            publish(w);
        }
        stored.persist(s);
    }
}