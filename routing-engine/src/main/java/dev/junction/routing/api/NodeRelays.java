package dev.junction.routing.api;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node's relays, one per vhost ({@link NodeRelay}): made for each vhost as it appears (at start, or
 * replicated from another node later), each reconciled every {@value NodeRelay#PASS_MS} ms on one thread of their
 * own. Started by the broker once the node's metadata log is in place; never without a cluster.
 */
public final class NodeRelays implements AutoCloseable {
    private final RoutingEngine engine;
    private final String nodeId;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-relay");
        t.setDaemon(true);
        return t;
    });
    /** By vhost; changed on the relays' thread only, read by {@link #started} from any. */
    private final Map<VirtualHost, NodeRelay> relays = new ConcurrentHashMap<>();

    private NodeRelays(RoutingEngine engine, String nodeId) {
        this.engine = engine;
        this.nodeId = nodeId;
    }

    /** Whether {@code queueName} is a node's relay: the engine's own, left out of definitions exports. */
    public static boolean isRelay(String queueName) {
        return queueName.startsWith(NodeRelay.PREFIX);
    }

    /** The relay of node {@code nodeId} in each vhost. */
    public static String relayOf(String nodeId) {
        return NodeRelay.PREFIX + nodeId;
    }

    public static NodeRelays start(RoutingEngine engine, String nodeId) {
        NodeRelays r = new NodeRelays(engine, nodeId);
        // Direct reply-to names carry this node, and a reply-to consumer waits for its vhost's relay once.
        engine.connections().directReplies().throughRelays(nodeId, r::started);
        r.thread.scheduleWithFixedDelay(r::pass, 0, NodeRelay.PASS_MS, TimeUnit.MILLISECONDS);
        return r;
    }

    private void pass() {
        relays.keySet().removeIf(v -> engine.vhost(v.name()).orElse(null) != v); // deleted with its vhost
        engine.vhosts().forEach(this::relay);
        relays.values().forEach(NodeRelay::pass);
    }

    /** The relay of {@code v}, made now if the passes have not yet. Relays' thread. */
    private NodeRelay relay(VirtualHost v) {
        return relays.computeIfAbsent(v, host -> new NodeRelay(host, new VhostFacade(engine, host, engine.quorum()),
                engine.connections().directReplies(), nodeId, thread));
    }

    /**
     * Completes once {@code vhost}'s relay on this node is consumed, starting it if need be (a few metadata-log
     * entries, once per vhost and node): at once when it already is, the usual case. Never exceptionally.
     */
    private CompletableFuture<Void> started(String vhost) {
        VirtualHost v = engine.vhost(vhost).orElse(null);
        NodeRelay known = v == null ? null : relays.get(v);
        if (v == null || known != null && known.consuming()) {
            return CompletableFuture.completedFuture(null); // no thread hop: the consume-ok comes at once
        }
        CompletableFuture<Void> answer = new CompletableFuture<>();
        try {
            thread.execute(() -> relay(v).started().whenComplete((x, e) -> answer.complete(null)));
        } catch (RejectedExecutionException closing) {
            answer.complete(null);
        }
        return answer.completeOnTimeout(null, NodeRelay.COVER_WAIT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
