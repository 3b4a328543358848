package dev.junction.cluster;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-id owner registry of a cluster (docs/cluster.md, "Client ids and takeover"): which node run's
 * connection holds each client id, as the metadata log ordered the claims. A claim is submitted as a
 * {@link ClientIdCommand} and granted when this node applies it; every node applies every claim in log order, so
 * the latest committed claim of a client id is its owner everywhere, and a node whose connection it replaced is
 * told ({@link Lost}) and closes that connection as taken over [MQTT-3.1.4-2].
 *
 * <p>Each client id also remembers the user whose claim took it, while that user's session may exist: after its
 * connection is released (the session stays), until the session ends ({@link #ended}: a clean session's
 * connection closes, a session expires or its queue is deleted). A claim by another user meanwhile is refused when
 * applied, by the registry's own state, so every node refuses the same entry and changes nothing: the owner keeps
 * its connection and its session, as a single node refuses a CONNECT for another user's session.
 *
 * <p>A session that ended after it had moved between nodes (a later claim came from another node than an earlier
 * one) leaves a tombstone: no connection, no user (any user may claim the id), and the run of the latest claim, so
 * that a node that kept the session from an earlier connection and was down at the end still learns, as it catches
 * up, that a later connection elsewhere superseded its record [MQTT-3.1.3-9]. The next claim of the id replaces the
 * tombstone; {@link EndedSessions} bounds how long and how many are kept. A session that never moved has no other
 * node to hold a stale record, and its end removes the id as before, so a fleet of clients with a fresh id per
 * connection leaves nothing behind.
 *
 * <p>The registry is applied on Ratis's apply thread and read from any thread (a concurrent map of small records);
 * it is not written to the local store: a restarted node rebuilds it from its snapshot and the log, and none of the
 * claims of an earlier run of a node are live. A snapshot carries it ({@link #snapshot}).
 */
final class ClientIdOwners implements ClientIdClaims {

    private static final Logger LOG = LoggerFactory.getLogger(ClientIdOwners.class);
    /** A claim committed but never applied here (a snapshot installed over it) fails its connection after this. */
    private static final long ANSWER_TIMEOUT_SECONDS = 30;

    /**
     * The latest claim of a client id: the run of a node that made it and its number there (a null origin when
     * no connection holds it: released, its session kept), the user it belongs to (null for a claim logged
     * before claims carried their user, which any user may take over), and the run that made the latest claim,
     * kept after its release ({@code last}: null when not known, restored from a snapshot written before it was
     * kept), which tells a node whether its own record of the session was superseded elsewhere; and whether the
     * session moved between nodes ({@code moved}: some claim of it came from another node than an earlier one, or
     * that is not known), which makes its end leave a tombstone. A tombstone is an owner without a connection or a
     * user whose {@code claim} holds the time (epoch ms) this node applied the end.
     */
    record Owner(String origin, long claim, String user, String last, boolean moved) {
        boolean held() {
            return origin != null;
        }

        /** A session that ended after it moved: kept for {@link #lastClaimedElsewhere} only. */
        boolean ended() {
            return origin == null && user == null;
        }
    }

    private final String origin;
    private final Function<byte[], CompletableFuture<Void>> log;
    private final Supplier<Optional<String>> refusal;
    private final Supplier<CompletableFuture<Void>> barrier;
    /** Claims are numbered from 1 in this run: {@link #LOCAL_CLAIM} (0) is a connection that claimed nothing. */
    private final AtomicLong claims = new AtomicLong();
    private final Map<Long, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();
    /** Vhost and client id (joined by a NUL, which neither holds) to owner. */
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    /** The few node runs that own anything, each string kept once rather than once per client id. */
    private final Map<String, String> origins = new ConcurrentHashMap<>();
    /** The users that own client ids, each string kept once. */
    private final Map<String, String> users = new ConcurrentHashMap<>();
    /** The tombstones, oldest first, and their bounds; on the apply thread. */
    private final EndedSessions ends;
    private volatile Lost listener;
    private volatile Lost elsewhere;

    /**
     * {@code origin}: this node's run, as its metadata entries name it; {@code log} submits an entry's bytes;
     * {@code refusal} says why this node cannot commit now (no leader known).
     */
    ClientIdOwners(String origin, Function<byte[], CompletableFuture<Void>> log, Supplier<Optional<String>> refusal) {
        this(origin, log, refusal, () -> CompletableFuture.completedFuture(null), new EndedSessions(
                TimeUnit.DAYS.toMillis(1), EndedSessions.MAX_TOMBSTONES, System::currentTimeMillis));
    }

    /**
     * As above; {@code barrier} completes once this node has applied what the log had committed when it was asked,
     * and {@code ends} keeps the tombstones of ended sessions within its bounds.
     */
    ClientIdOwners(String origin, Function<byte[], CompletableFuture<Void>> log, Supplier<Optional<String>> refusal,
                   Supplier<CompletableFuture<Void>> barrier, EndedSessions ends) {
        this.origin = origin;
        this.log = log;
        this.refusal = refusal;
        this.barrier = barrier;
        this.ends = ends;
    }

    @Override
    public CompletableFuture<Void> caughtUp() {
        return barrier.get();
    }

    @Override
    public CompletableFuture<Long> claim(String vhost, String clientId, String user) {
        Optional<String> why = refusal.get();
        if (why.isPresent()) {
            return CompletableFuture.failedFuture(refused(clientId, why.get()));
        }
        long claim = claims.incrementAndGet();
        CompletableFuture<Long> granted = new CompletableFuture<>();
        waiting.put(claim, granted);
        log.apply(new ClientIdCommand(ClientIdCommand.Op.CLAIM, vhost, clientId, origin, claim, user).encode())
                .whenComplete((ok, failed) -> {
                    if (failed != null) {
                        granted.completeExceptionally(refused(clientId, "the metadata log did not commit the claim ("
                                + failed + ")"));
                    }
                });
        return granted.orTimeout(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenComplete((result, failed) -> waiting.remove(claim));
    }

    @Override
    public boolean holds(String vhost, String clientId, long claim) {
        if (claim == LOCAL_CLAIM) {
            return true; // never claimed through the cluster (a server-assigned client id)
        }
        Owner o = owners.get(key(vhost, clientId));
        return o != null && o.claim() == claim && origin.equals(o.origin());
    }

    @Override
    public void release(String vhost, String clientId, long claim) {
        if (claim == LOCAL_CLAIM || !holds(vhost, clientId, claim)) {
            return; // overtaken already: the later claim's entry replaced it everywhere
        }
        submit(new ClientIdCommand(ClientIdCommand.Op.RELEASE, vhost, clientId, origin, claim));
    }

    @Override
    public void ended(String vhost, String clientId, long claim) {
        if (claim == LOCAL_CLAIM) {
            Owner o = owners.get(key(vhost, clientId));
            if (o == null || o.held() || o.ended()) {
                return; // nothing remembered (a server-assigned id), held (not this session's), or ended already
            }
        } else if (!holds(vhost, clientId, claim)) {
            return; // overtaken already: the later claim's entry names its own user
        }
        submit(new ClientIdCommand(ClientIdCommand.Op.END, vhost, clientId, origin, claim));
    }

    /** A release or an end, not waited for. */
    private void submit(ClientIdCommand c) {
        log.apply(c.encode()).whenComplete((ok, failed) -> {
            if (failed != null) {
                // The entry stays until the client id is claimed again by its user (see docs/cluster.md).
                LOG.warn("{} of MQTT client id '{}' not committed: {}", c.op(), c.clientId(), failed.toString());
            }
        });
    }

    @Override
    public void onLost(Lost lost) {
        this.listener = lost;
    }

    @Override
    public void onClaimedElsewhere(Lost claimed) {
        this.elsewhere = claimed;
    }

    @Override
    public boolean heldElsewhere(String vhost, String clientId) {
        Owner o = owners.get(key(vhost, clientId));
        return o != null && o.held() && !node(o.origin()).equals(node(origin));
    }

    @Override
    public boolean lastClaimedElsewhere(String vhost, String clientId) {
        Owner o = owners.get(key(vhost, clientId));
        return o != null && o.last() != null && !node(o.last()).equals(node(origin));
    }

    /**
     * Whether a connection other than the one of claim {@code claim} of node run {@code run} holds the client id, as
     * applied so far: on the apply thread, the fence of a session's exactly-once entries
     * ({@link ReplicatedExactlyOnceIds}).
     */
    boolean heldByOther(String vhost, String clientId, String run, long claim) {
        Owner o = owners.get(key(vhost, clientId));
        return o != null && o.held() && !(o.claim() == claim && run.equals(o.origin()));
    }

    /** The node of a run ({@code node/run}): a claim of this node's earlier run is still this node's. */
    private static String node(String run) {
        int slash = run.indexOf('/');
        return slash < 0 ? run : run.substring(0, slash);
    }

    /** On the apply thread: a committed claim or release, in log order. */
    void apply(ClientIdCommand c) {
        String key = key(c.vhost(), c.clientId());
        Owner previous = owners.get(key);
        switch (c.op()) {
            case RELEASE -> {
                if (isClaim(previous, c)) {
                    if (previous.user() == null) {
                        owners.remove(key);
                    } else {
                        owners.put(key, new Owner(null, LOCAL_CLAIM, previous.user(), previous.last(),
                                previous.moved()));
                    }
                }
            }
            case END -> {
                // Ended by the connection holding the id, or (claim 0) without one, while none holds it; a tombstone
                // stays as it is (its session ended already).
                if (previous != null && !previous.ended()
                        && (c.claim() == LOCAL_CLAIM ? !previous.held() : isClaim(previous, c))) {
                    endedNow(key, previous);
                }
            }
            case CLAIM -> claimed(key, previous, c);
        }
        ends.purge(owners);
    }

    /**
     * The session of {@code key} ended. One that moved between nodes leaves a tombstone naming the run of its latest
     * claim: another node may hold a record of it from an earlier connection, maybe while down now, and must learn
     * that it was superseded. One that never moved, or whose latest claim's run is not known, is forgotten.
     */
    private void endedNow(String key, Owner previous) {
        if (!previous.moved() || previous.last() == null) {
            owners.remove(key);
            return;
        }
        Owner tombstone = new Owner(null, ends.now(), null, previous.last(), true);
        owners.put(key, tombstone);
        ends.add(key, tombstone, owners);
    }

    private void claimed(String key, Owner previous, ClientIdCommand c) {
        boolean mine = origin.equals(c.origin());
        if (previous != null && previous.user() != null && c.user() != null && !previous.user().equals(c.user())) {
            // Another user's session holds the id: refused on every node alike, and nothing changes; its owner's
            // connection stays open.
            CompletableFuture<Long> granted = mine ? waiting.remove(c.claim()) : null;
            if (granted != null) {
                granted.completeExceptionally(new BrokerException(ErrorKind.ACCESS_REFUSED, "client id '"
                        + c.clientId() + "' belongs to a session of another user than '" + c.user() + "'"));
            }
            return;
        }
        // A claim from another node than the previous one's (or over an id whose history is not known) moves
        // the session: a node may keep a record of it that this claim supersedes.
        boolean moved = previous != null && (previous.moved() || previous.last() == null
                || !node(previous.last()).equals(node(c.origin())));
        owners.put(key, owner(c.origin(), c.claim(), c.user(), c.origin(), moved));
        if (mine) {
            CompletableFuture<Long> granted = waiting.remove(c.claim());
            if (granted != null) {
                granted.complete(c.claim());
            }
        }
        if (!mine && previous != null && origin.equals(previous.origin())) {
            lost(c.vhost(), c.clientId());
        }
        if (!mine) {
            claimedElsewhere(c.vhost(), c.clientId());
        }
    }

    private static boolean isClaim(Owner o, ClientIdCommand c) {
        return o != null && o.claim() == c.claim() && c.origin().equals(o.origin());
    }

    private Owner owner(String ownerOrigin, long claim, String user, String last, boolean moved) {
        return new Owner(interned(ownerOrigin), claim, user == null ? null : users.computeIfAbsent(user, u -> u),
                interned(last), moved);
    }

    private String interned(String run) {
        return run == null ? null : origins.computeIfAbsent(run, o -> o);
    }

    /**
     * The registry as applied so far, for a snapshot: each held id as the claim that made it, each released one
     * (its session kept) as a release naming its user and the run whose claim it was (an empty run when not
     * known), both followed by whether the session moved; each tombstone as an end naming that run, its time as
     * its claim, no user. The version before ignores the byte after the user and reads an end as a user-less
     * release naming the run (which tells it what a tombstone tells), so the format is the same both ways.
     */
    List<ClientIdCommand> snapshot() {
        List<ClientIdCommand> all = new ArrayList<>(owners.size());
        owners.forEach((key, o) -> {
            int nul = key.indexOf('\u0000');
            String vhost = key.substring(0, nul);
            String clientId = key.substring(nul + 1);
            if (o.ended()) {
                all.add(new ClientIdCommand(ClientIdCommand.Op.END, vhost, clientId, o.last(), o.claim(), null));
                return;
            }
            String run = o.held() ? o.origin() : o.last() == null ? "" : o.last();
            all.add(new ClientIdCommand(o.held() ? ClientIdCommand.Op.CLAIM : ClientIdCommand.Op.RELEASE,
                    vhost, clientId, run, o.claim(), o.user(), o.moved()));
        });
        return all;
    }

    /**
     * Makes the registry exactly {@code snapshot}'s (a node's own at start, or the leader's installed over a purged
     * log): this run's claims it replaced are lost, and those it holds are granted.
     */
    void restore(List<ClientIdCommand> snapshot) {
        Map<String, Owner> before = Map.copyOf(owners);
        owners.clear();
        for (ClientIdCommand c : snapshot) {
            boolean held = c.op() == ClientIdCommand.Op.CLAIM;
            String last = c.origin().isEmpty() ? null : c.origin();
            if (!held && c.user() == null) { // a tombstone (or one the version before wrote back as a release)
                if (last != null) {
                    owners.put(key(c.vhost(), c.clientId()), new Owner(null, c.claim() > 0 ? c.claim() : ends.now(),
                            null, interned(last), true));
                }
                continue;
            }
            // Whether it moved is not known from a snapshot written before it was kept: as if it had.
            boolean moved = c.moved() == null || c.moved();
            owners.put(key(c.vhost(), c.clientId()),
                    owner(held ? c.origin() : null, c.claim(), c.user(), last, moved));
        }
        ends.restored(owners);
        before.forEach((key, o) -> {
            Owner now = owners.get(key);
            // The same claim, whatever else differs (whether it moved is each node's own view of the id's past).
            if (origin.equals(o.origin()) && (now == null || !o.origin().equals(now.origin())
                    || now.claim() != o.claim())) {
                int nul = key.indexOf('\u0000');
                lost(key.substring(0, nul), key.substring(nul + 1));
            }
        });
        owners.forEach((key, o) -> {
            CompletableFuture<Long> granted = origin.equals(o.origin()) ? waiting.remove(o.claim()) : null;
            if (granted != null) {
                granted.complete(o.claim());
            }
        });
    }

    /** How many client ids the registry remembers: held, released with their session kept, or tombstones. */
    int size() {
        return owners.size();
    }

    private void lost(String vhost, String clientId) {
        tell(listener, vhost, clientId, "close the connection of client id '{}' taken over on another node");
    }

    private void claimedElsewhere(String vhost, String clientId) {
        tell(elsewhere, vhost, clientId, "hand over the session of client id '{}' resumed on another node");
    }

    /** Tells {@code l}, if registered, on the apply thread; a failure there is logged, never stops the apply. */
    private static void tell(Lost l, String vhost, String clientId, String what) {
        if (l == null) {
            return;
        }
        try {
            l.lost(vhost, clientId);
        } catch (RuntimeException e) {
            LOG.warn("could not " + what, clientId, e);
        }
    }

    private static String key(String vhost, String clientId) {
        return vhost + '\u0000' + clientId;
    }

    private static BrokerException refused(String clientId, String why) {
        return new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot claim client id '" + clientId + "': " + why);
    }
}
