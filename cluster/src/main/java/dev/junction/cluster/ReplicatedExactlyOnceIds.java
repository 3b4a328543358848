package dev.junction.cluster;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExactlyOnceIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions' exactly-once exchanges in progress on a cluster node (docs/cluster.md, "MQTT sessions"): each put is
 * an {@link ExactlyOnceCommand} submitted to the metadata log, and every node applies every one in log order into
 * its map, so a session resumed on any node finds the ids its earlier connections left, whichever node they were on.
 *
 * <p>An entry is applied unless a connection other than the one that put it holds the client id by then
 * ({@link ClientIdOwners#heldByOther}, the same registry at the same point of the log on every node): a node whose
 * connection was taken over elsewhere, with puts still on their way, cannot overwrite what the new connection put.
 *
 * <p>Applied on Ratis's apply thread and read from any thread (a concurrent map of immutable records). Like the
 * client-id registry it is not written to the local store: a restarted node rebuilds it from its snapshot and the
 * log ({@link #snapshot}, {@link #restore}).
 */
final class ReplicatedExactlyOnceIds implements ExactlyOnceIds {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedExactlyOnceIds.class);

    /** Who holds a client id, as applied so far: {@link ClientIdOwners#heldByOther}. */
    @FunctionalInterface
    interface Fence {
        boolean heldByOther(String vhost, String clientId, String run, long claim);
    }

    private final String origin;
    private final Function<byte[], CompletableFuture<Void>> log;
    private final Supplier<Optional<String>> refusal;
    private final Fence fence;
    /** Vhost and session (joined by a NUL, which neither holds) to the exchanges in progress; none: absent. */
    private final Map<String, Pending> sessions = new ConcurrentHashMap<>();

    /**
     * {@code origin}: this node's run, as its entries name it; {@code log} submits an entry's bytes; {@code refusal}
     * says why this node cannot commit now; {@code fence} tells whether another connection holds a client id.
     */
    ReplicatedExactlyOnceIds(String origin, Function<byte[], CompletableFuture<Void>> log,
                             Supplier<Optional<String>> refusal, Fence fence) {
        this.origin = origin;
        this.log = log;
        this.refusal = refusal;
        this.fence = fence;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Pending pending(String vhost, String session) {
        return sessions.getOrDefault(key(vhost, session), Pending.NONE);
    }

    /**
     * Refused at once on a node that knows no leader (a minority side): waiting there would hold the client's
     * acknowledgement for the client's retries to time out, and it cannot be granted.
     */
    @Override
    public CompletableFuture<Void> put(String vhost, String session, long claim, Pending pending) {
        Optional<String> why = refusal.get();
        if (why.isPresent()) {
            return CompletableFuture.failedFuture(notCommitted(session, why.get()));
        }
        byte[] entry = new ExactlyOnceCommand(vhost, session, origin, claim, pending).encode();
        return log.apply(entry).exceptionallyCompose(failed -> CompletableFuture.failedFuture(notCommitted(session,
                "the metadata log did not commit it (" + failed + ")")));
    }

    /** On the apply thread: a committed put, in log order. */
    void apply(ExactlyOnceCommand c) {
        if (fence.heldByOther(c.vhost(), c.session(), c.origin(), c.claim())) {
            LOG.debug("exactly-once ids of session '{}' from a connection that no longer holds it: not applied",
                    c.session());
            return;
        }
        set(c.vhost(), c.session(), c.pending());
    }

    private void set(String vhost, String session, Pending pending) {
        if (pending.isEmpty()) {
            sessions.remove(key(vhost, session));
        } else {
            sessions.put(key(vhost, session), pending);
        }
    }

    /** The sessions with exchanges in progress as applied so far, for a snapshot, each as the put that sets it. */
    List<ExactlyOnceCommand> snapshot() {
        List<ExactlyOnceCommand> all = new ArrayList<>(sessions.size());
        sessions.forEach((key, pending) -> {
            int nul = key.indexOf('\u0000');
            all.add(new ExactlyOnceCommand(key.substring(0, nul), key.substring(nul + 1), "", 0, pending));
        });
        return all;
    }

    /**
     * Makes the map exactly {@code snapshot}'s: this node's own at start, or the leader's installed. Sessions not in
     * it go one by one rather than by a clear, so a reader never sees a session that is in both missing.
     */
    void restore(List<ExactlyOnceCommand> snapshot) {
        Set<String> kept = new HashSet<>();
        for (ExactlyOnceCommand c : snapshot) {
            kept.add(key(c.vhost(), c.session()));
            set(c.vhost(), c.session(), c.pending());
        }
        sessions.keySet().retainAll(kept);
    }

    /** How many sessions have exchanges in progress. */
    int size() {
        return sessions.size();
    }

    private static String key(String vhost, String session) {
        return vhost + '\u0000' + session;
    }

    private static BrokerException notCommitted(String session, String why) {
        return new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot keep the exactly-once state of session '"
                + session + "': " + why);
    }
}
