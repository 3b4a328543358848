package dev.junction.mqtt;

import io.netty.util.Timeout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long an accepted CONNECT may wait for the broker to set up its session: the client id's claim and the session's
 * attach, which in a cluster are quorum writes and wait for a leader while one is being elected. The listener's
 * handshake timeout stopped at the CONNECT (it measures the client, and a client cut off by it gets no answer at
 * all); this limit measures the broker, and a client past it is told: CONNACK Server unavailable (MQTT 5 0x88, 3.1.1
 * return code 3), after which it reconnects as after any refusal. A session the broker attaches after all is left
 * again at once (see {@code ConnectFlow.attached}).
 *
 * <p>Thirty seconds outlasts several elections at the cluster's 1-2 s election timeout and a quorum write's retry;
 * it is also what Paho waits for a CONNACK by default, so a stock client hears the refusal rather than timing out.
 * The entry sits on the server's timer wheel and is cancelled when the CONNECT is answered.
 */
final class SessionSetupDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(SessionSetupDeadline.class);
    static final long SECONDS = 30;

    private SessionSetupDeadline() {
    }

    /** Refuses {@code c}'s CONNECT unless {@code answered} completes within {@link #SECONDS}. */
    static void start(MqttConnection c, CompletableFuture<Void> answered) {
        Timeout t = c.server.keepAliveWheel.newTimeout(KeepAlive.onLoop(c, () -> {
            if (c.state == MqttConnection.State.AWAIT_CONNECT && !answered.isDone()) {
                c.server.engine.clientWarnings().warn(LOG, c.address(), "MQTT client '{}' ({}) refused: its session "
                        + "was not set up within {} s; answering Server unavailable", c.clientId(), c.remote(),
                        SECONDS);
                c.refuse(ReasonCode.SERVER_UNAVAILABLE);
            }
        }), SECONDS, TimeUnit.SECONDS);
        answered.whenComplete((v, e) -> t.cancel());
    }
}
