package dev.junction.routing.api;

import java.util.concurrent.CompletableFuture;

/**
 * Who holds each client id of a vhost across the nodes of a cluster: a connection claims its client id before it is
 * accepted, the latest claim wins, and a node whose connection lost its claim to a later one (made on any node) is
 * told, so that it closes that connection as taken over [MQTT-3.1.4-2]. Claims are ordered by one log, so two
 * connections with one client id on two nodes at once end with the same winner everywhere.
 *
 * <p>A client id belongs to the user whose connection claimed it while that user's session exists, connected or
 * not: a claim by another user is refused (the session is not theirs to resume or to end), as a single node
 * refuses a CONNECT for a session of another user. A connection that goes without ending its session
 * ({@link #release}) leaves the id to its user; one that ends it, or a session that ends without a connection
 * ({@link #ended}), frees the id for any user.
 *
 * <p>A broker without a cluster uses {@link #LOCAL}: every claim is granted at once and never lost, which leaves the
 * protocol's own takeover on its node as the only one. A claim is a number that identifies it among this node's
 * claims; {@link #LOCAL}'s is always {@link #LOCAL_CLAIM}. Callable from any thread; the futures and the listener
 * complete on the implementation's threads, never on the caller's event loop, so a caller hands their outcome
 * back to its own thread.
 */
public interface ClientIdClaims {

    /** The claim {@link #LOCAL} grants: one number, so a single node keeps no state per connection for it. */
    long LOCAL_CLAIM = 0;

    /** The single node's claims: granted at once (one completed future shared by every call), never lost. */
    ClientIdClaims LOCAL = new ClientIdClaims() {
        private final CompletableFuture<Long> granted = CompletableFuture.completedFuture(LOCAL_CLAIM);

        @Override
        public CompletableFuture<Long> claim(String vhost, String clientId, String user) {
            return granted; // the session registry checks the session's user on this node
        }

        @Override
        public boolean holds(String vhost, String clientId, long claim) {
            return true;
        }

        @Override
        public void release(String vhost, String clientId, long claim) {
        }

        @Override
        public void ended(String vhost, String clientId, long claim) {
        }

        @Override
        public void onLost(Lost listener) {
        }
    };

    /**
     * Claims {@code clientId} of {@code vhost} for a connection of this node authenticated as {@code user}.
     * Completes with the claim once it is the client id's latest (in a cluster: once the metadata log committed it
     * and this node applied it); fails with an {@link ErrorKind#ACCESS_REFUSED} {@link BrokerException} when the
     * client id belongs to another user's session (nothing changed anywhere), and with an
     * {@link ErrorKind#INTERNAL_ERROR} one when it cannot be granted now (a cluster node without a majority), so
     * that the caller refuses the connection rather than let two owners live.
     */
    CompletableFuture<Long> claim(String vhost, String clientId, String user);

    /** Whether {@code claim} (of this node) is still the client id's latest: no later claim was made anywhere. */
    boolean holds(String vhost, String clientId, long claim);

    /**
     * The connection of {@code claim} has gone and its session stays: no connection holds the client id, which
     * still belongs to the session's user (unless a later claim holds it already).
     */
    void release(String vhost, String clientId, long claim);

    /**
     * The session of {@code clientId} ended: the client id is free for any user. {@code claim} is the claim of the
     * connection that ended it, or {@link #LOCAL_CLAIM} when the session ended without a connection (it expired,
     * or its queue was deleted); a client id a later claim holds is not freed.
     */
    void ended(String vhost, String clientId, long claim);

    /** Registers the one listener told when a claim of this node is overtaken by a later one of another node. */
    void onLost(Lost listener);

    /**
     * Registers the one listener told whenever a connection of another node claims a client id, whether or not
     * this node held it: a session this node keeps without a connection was resumed (or ended) there, so its
     * delayed will and expiry are no longer this node's to run [MQTT-3.1.3-9]. Alone there is no other node and
     * the listener is never told.
     */
    default void onClaimedElsewhere(Lost listener) {
    }

    /**
     * Whether a connection of another node holds {@code clientId} now, as this node has applied the claims so far
     * (not this node's, of this run or an earlier one). Alone never.
     */
    default boolean heldElsewhere(String vhost, String clientId) {
        return false;
    }

    /**
     * Whether the latest claim of {@code clientId}, whether its connection still holds the id or has released it
     * since, was made by a connection of another node (not this node's, of this run or an earlier one), as this
     * node has applied the claims so far. A session this node keeps from its own last connection was then
     * connected to another node after it, which superseded this node's record: its will and expiry are no longer
     * this node's to run [MQTT-3.1.3-9]. This holds too after that session ended elsewhere (a Clean Start or its
     * expiry there), while the registry keeps the ended session's tombstone (bounded in time and number). False
     * when the registry does not know: the id was never claimed, its session ended without ever moving between
     * nodes or its tombstone was dropped, or its release was restored from a snapshot written before the claim's
     * node was kept. Alone never.
     */
    default boolean lastClaimedElsewhere(String vhost, String clientId) {
        return false;
    }

    /**
     * Completes once this node has applied every claim the cluster had committed when it was called (Raft's read
     * index), so that {@link #heldElsewhere} then knows of every connection made on another node meanwhile, also
     * while this node was down; fails when the node cannot reach the cluster's leader. Alone at once.
     */
    default CompletableFuture<Void> caughtUp() {
        return CompletableFuture.completedFuture(null);
    }

    /** Told that this node's claim of a client id was overtaken elsewhere. */
    @FunctionalInterface
    interface Lost {
        /** {@code clientId} of {@code vhost} now belongs to a connection of another node. */
        void lost(String vhost, String clientId);
    }
}
