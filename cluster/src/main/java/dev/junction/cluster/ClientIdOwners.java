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
 * <p>The registry is applied on Ratis's apply thread and read from any thread (a concurrent map of small records);
 * it is not written to the local store: a restarted node rebuilds it from its snapshot and the log, and none of the
 * claims of an earlier run of a node are live. A snapshot carries it ({@link #snapshot}).
 */
final class ClientIdOwners implements ClientIdClaims {

    private static final Logger LOG = LoggerFactory.getLogger(ClientIdOwners.class);
    /** A claim committed but never applied here (a snapshot installed over it) fails its connection after this. */
    private static final long ANSWER_TIMEOUT_SECONDS = 30;

    /** The latest claim of a client id: the run of a node that made it, and its number there. */
    record Owner(String origin, long claim) {
    }

    private final String origin;
    private final Function<byte[], CompletableFuture<Void>> log;
    private final Supplier<Optional<String>> refusal;
    /** Claims are numbered from 1 in this run: {@link #LOCAL_CLAIM} (0) is a connection that claimed nothing. */
    private final AtomicLong claims = new AtomicLong();
    private final Map<Long, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();
    /** Vhost and client id (joined by a NUL, which neither holds) to owner. */
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    /** The few node runs that own anything, each string kept once rather than once per client id. */
    private final Map<String, String> origins = new ConcurrentHashMap<>();
    private volatile Lost listener;

    /**
     * {@code origin}: this node's run, as its metadata entries name it; {@code log} submits an entry's bytes;
     * {@code refusal} says why this node cannot commit now (no leader known).
     */
    ClientIdOwners(String origin, Function<byte[], CompletableFuture<Void>> log, Supplier<Optional<String>> refusal) {
        this.origin = origin;
        this.log = log;
        this.refusal = refusal;
    }

    @Override
    public CompletableFuture<Long> claim(String vhost, String clientId) {
        Optional<String> why = refusal.get();
        if (why.isPresent()) {
            return CompletableFuture.failedFuture(refused(clientId, why.get()));
        }
        long claim = claims.incrementAndGet();
        CompletableFuture<Long> granted = new CompletableFuture<>();
        waiting.put(claim, granted);
        log.apply(new ClientIdCommand(ClientIdCommand.Op.CLAIM, vhost, clientId, origin, claim).encode())
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
        return o != null && o.claim() == claim && o.origin().equals(origin);
    }

    @Override
    public void release(String vhost, String clientId, long claim) {
        if (claim == LOCAL_CLAIM || !holds(vhost, clientId, claim)) {
            return; // overtaken already: the later claim's entry replaced it everywhere
        }
        log.apply(new ClientIdCommand(ClientIdCommand.Op.RELEASE, vhost, clientId, origin, claim).encode())
                .whenComplete((ok, failed) -> {
                    if (failed != null) {
                        // The entry stays until the client id is claimed again: it names no live connection.
                        LOG.debug("release of MQTT client id '{}' not committed: {}", clientId, failed.toString());
                    }
                });
    }

    @Override
    public void onLost(Lost lost) {
        this.listener = lost;
    }

    /** On the apply thread: a committed claim or release, in log order. */
    void apply(ClientIdCommand c) {
        String key = key(c.vhost(), c.clientId());
        Owner owner = new Owner(origins.computeIfAbsent(c.origin(), o -> o), c.claim());
        if (c.op() == ClientIdCommand.Op.RELEASE) {
            owners.remove(key, owner);
            return;
        }
        Owner previous = owners.put(key, owner);
        boolean mine = origin.equals(c.origin());
        if (mine) {
            CompletableFuture<Long> granted = waiting.remove(c.claim());
            if (granted != null) {
                granted.complete(c.claim());
            }
        }
        if (!mine && previous != null && previous.origin().equals(origin)) {
            lost(c.vhost(), c.clientId());
        }
    }

    /** The registry as applied so far, each owner as the claim that made it, for a snapshot. */
    List<ClientIdCommand> snapshot() {
        List<ClientIdCommand> all = new ArrayList<>(owners.size());
        owners.forEach((key, o) -> {
            int nul = key.indexOf('\u0000');
            all.add(new ClientIdCommand(ClientIdCommand.Op.CLAIM, key.substring(0, nul), key.substring(nul + 1),
                    o.origin(), o.claim()));
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
            owners.put(key(c.vhost(), c.clientId()), new Owner(origins.computeIfAbsent(c.origin(), o -> o),
                    c.claim()));
        }
        before.forEach((key, o) -> {
            Owner now = owners.get(key);
            if (o.origin().equals(origin) && (now == null || !now.equals(o))) {
                int nul = key.indexOf('\u0000');
                lost(key.substring(0, nul), key.substring(nul + 1));
            }
        });
        owners.forEach((key, o) -> {
            CompletableFuture<Long> granted = o.origin().equals(origin) ? waiting.remove(o.claim()) : null;
            if (granted != null) {
                granted.complete(o.claim());
            }
        });
    }

    /** How many client ids have an owner: the registry's size. */
    int size() {
        return owners.size();
    }

    private void lost(String vhost, String clientId) {
        Lost l = listener;
        if (l == null) {
            return;
        }
        try {
            l.lost(vhost, clientId);
        } catch (RuntimeException e) {
            LOG.warn("could not close the connection of client id '{}' taken over on another node", clientId, e);
        }
    }

    private static String key(String vhost, String clientId) {
        return vhost + '\u0000' + clientId;
    }

    private static BrokerException refused(String clientId, String why) {
        return new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot claim client id '" + clientId + "': " + why);
    }
}
