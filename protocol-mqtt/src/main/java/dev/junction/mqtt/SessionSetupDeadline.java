package dev.junction.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long an accepted CONNECT may wait for the broker to set up its session: the client id's claim and the session's
 * attach, which in a cluster are quorum writes and wait for a leader while one is being elected. The listener's
 * handshake timeout stopped at the CONNECT (it measures the client, and a client cut off by it gets no answer at
 * all); this limit measures the broker, and a client past it is told: CONNACK Server unavailable (MQTT 5 0x88, 3.1.1
 * return code 3), after which it reconnects as after any refusal.
 *
 * <p>A refused CONNECT must change nothing: no session taken from its live connection or ended for a clean start, and
 * no will published for a client that was never connected. So the CONNECT is given up on the client id's lane, where
 * the attach runs ({@link SessionRegistry#abandon}), and only then refused: an attach that ran on the lane before is
 * answered first, on the connection's event loop, and the CONNECT is accepted after all; one that comes after finds
 * it given up, attaches nothing and lets go of the claim. (The claim itself, once granted, has taken the client id
 * over wherever its last connection was [MQTT-3.1.4-2], as the client asked.)
 *
 * <p>Thirty seconds outlasts several elections at the cluster's 1-2 s election timeout and a quorum write's retry;
 * it is also what Paho waits for a CONNACK by default, so a stock client hears the refusal rather than timing out.
 * The entry sits on the server's timer wheel and is cancelled when the CONNECT is answered.
 */
final class SessionSetupDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(SessionSetupDeadline.class);
    static final long SECONDS = 30;

    private final MqttConnection c;
    private final String clientId;
    private final CompletableFuture<Void> answered;
    /** The CONNECT was given up: its session is not to be attached. The client id's lane only. */
    private boolean abandoned;

    private SessionSetupDeadline(MqttConnection c, String clientId, CompletableFuture<Void> answered) {
        this.c = c;
        this.clientId = clientId;
        this.answered = answered;
    }

    /** Gives {@code c}'s CONNECT up unless {@code answered} completes within {@link #SECONDS}. */
    static SessionSetupDeadline start(MqttConnection c, String clientId, CompletableFuture<Void> answered) {
        SessionSetupDeadline d = new SessionSetupDeadline(c, clientId, answered);
        io.netty.util.Timeout t = c.server.keepAliveWheel.newTimeout(KeepAlive.onLoop(c, d::expired), SECONDS,
                TimeUnit.SECONDS);
        answered.whenComplete((v, e) -> t.cancel());
        return d;
    }

    /** On the client id's lane: marks the CONNECT given up. */
    void abandon() {
        abandoned = true;
    }

    /** On the client id's lane: whether the CONNECT was given up. */
    boolean abandoned() {
        return abandoned;
    }

    /** The limit passed, on the event loop. */
    private void expired() {
        if (c.state != MqttConnection.State.AWAIT_CONNECT || answered.isDone()) {
            return;
        }
        c.server.sessions.abandon(clientId, this).whenComplete((v, e) -> c.onLoop(() -> {
            if (c.state != MqttConnection.State.AWAIT_CONNECT || answered.isDone()) {
                return; // answered meanwhile: the attach ran on the lane before the CONNECT was given up
            }
            c.server.engine.clientWarnings().warn(LOG, c.address(), "MQTT client '{}' ({}) refused: its session "
                    + "was not set up within {} s; answering Server unavailable", clientId, c.remote(), SECONDS);
            c.refuse(ReasonCode.SERVER_UNAVAILABLE);
            answered.complete(null); // the packets held behind the CONNECT are released with the connection
        }));
    }
}
