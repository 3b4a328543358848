package dev.junction.routing.api;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
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
    /** By vhost; the relays' thread only. */
    private final Map<VirtualHost, NodeRelay> relays = new HashMap<>();

    private NodeRelays(RoutingEngine engine, String nodeId) {
        this.engine = engine;
        this.nodeId = nodeId;
    }

    /** Whether {@code queueName} is a node's relay: the engine's own, left out of definitions exports. */
    public static boolean isRelay(String queueName) {
        return queueName.startsWith(NodeRelay.PREFIX);
    }

    public static NodeRelays start(RoutingEngine engine, String nodeId) {
        NodeRelays r = new NodeRelays(engine, nodeId);
        r.thread.scheduleWithFixedDelay(r::pass, 0, NodeRelay.PASS_MS, TimeUnit.MILLISECONDS);
        return r;
    }

    private void pass() {
        relays.keySet().removeIf(v -> engine.vhost(v.name()).orElse(null) != v); // deleted with its vhost
        for (VirtualHost v : engine.vhosts()) {
            relays.computeIfAbsent(v,
                    host -> new NodeRelay(host, new VhostFacade(engine, host, engine.quorum()), nodeId, thread));
        }
        relays.values().forEach(NodeRelay::pass);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
