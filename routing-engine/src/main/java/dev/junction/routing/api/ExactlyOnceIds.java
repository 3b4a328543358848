package dev.junction.routing.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ids of a session's exactly-once exchanges in progress, shared by the nodes of a cluster so that a session
 * resumed on another node goes on with them (MQTT QoS 2: [MQTT-4.3.3-10], [MQTT-4.4.0-1]). A session is named by
 * its vhost and client id; what it holds is {@link Pending}: the ids of messages received from the client and
 * acknowledged, which the client has yet to release, and the ids of messages sent to the client whose receipt it
 * acknowledged, which it has yet to complete.
 *
 * <p>A broker alone uses {@link #LOCAL}: nothing is shared, and the protocol's own record on its node is the only
 * one. In a cluster every change is one entry of the metadata log: {@link #put} completes once a majority holds it,
 * and every node applies every put in log order. A put is refused where it is applied when a connection other than
 * the one of {@code claim} holds the client id by then ({@link ClientIdClaims}), so a node that lost the session to
 * another cannot overwrite what the other one put since. Callable from any thread; the futures complete on the
 * implementation's threads.
 */
public interface ExactlyOnceIds {

    /**
     * One session's exchanges in progress: {@code received}, ids taken from the client and acknowledged, awaiting
     * its release (MQTT: PUBREC sent, PUBREL not yet received); {@code released}, ids sent to the client whose
     * receipt it acknowledged, awaiting its completion (MQTT: PUBREL sent, PUBCOMP not yet received).
     */
    record Pending(List<Integer> received, List<Integer> released) {
        public static final Pending NONE = new Pending(List.of(), List.of());

        public Pending {
            received = List.copyOf(received);
            released = List.copyOf(released);
        }

        public boolean isEmpty() {
            return received.isEmpty() && released.isEmpty();
        }
    }

    /** A broker alone: nothing is shared, every put is done at once and changes nothing. */
    ExactlyOnceIds LOCAL = new ExactlyOnceIds() {
        private final CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

        @Override
        public boolean shared() {
            return false;
        }

        @Override
        public Pending pending(String vhost, String session) {
            return Pending.NONE;
        }

        @Override
        public CompletableFuture<Void> put(String vhost, String session, long claim, Pending pending) {
            return done;
        }
    };

    /** Whether the ids are shared with other nodes: false alone, where the protocol's own record is all there is. */
    boolean shared();

    /**
     * The session's exchanges in progress as this node has applied the log so far ({@link Pending#NONE} for none).
     * A node that has applied a connection's claim of the client id has applied every put committed before it.
     */
    Pending pending(String vhost, String session);

    /**
     * Replaces the session's exchanges in progress with {@code pending} ({@link Pending#NONE} forgets the session),
     * for the connection of {@code claim} ({@link ClientIdClaims#LOCAL_CLAIM} for none). Completes once committed;
     * fails when the cluster could not commit it. The puts of one node are committed in the order they were made.
     */
    CompletableFuture<Void> put(String vhost, String session, long claim, Pending pending);
}
