package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueTarget;
import java.util.List;
import java.util.function.Predicate;

/**
 * A vhost's publish path: the exchange looked up without the vhost's lock, routed by the {@link Router}, and the
 * message handed to the queues' mailboxes, counted in the vhost's metrics.
 */
public final class VhostPublishing {
    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final EngineMetrics metrics;
    private final Router router;
    /**
     * The queue through which the other nodes of a cluster pass on what is published there to this node's
     * connections (the MQTT adapter's relay, docs/cluster.md): what is published here reaches those connections
     * directly and never goes into it. Null alone.
     */
    private volatile String relayQueue;

    VhostPublishing(VirtualHost vhost, RoutingEngine engine, EngineMetrics metrics, Router router) {
        this.vhost = vhost;
        this.engine = engine;
        this.metrics = metrics;
        this.router = router;
    }

    /**
     * Routes and enqueues a message. Throws NOT_FOUND for a missing exchange and ACCESS_REFUSED for an internal
     * one. {@code confirm} asks for a meaningful {@link PublishResult#confirmed()} future; without it, no
     * confirmation bookkeeping is done.
     */
    PublishResult publish(Message message, boolean confirm) {
        return publish(message, confirm, null);
    }

    /**
     * {@link #publish}, into the queues {@code into} accepts of those the message reaches (all when null). Either
     * way never into this node's relay queue ({@link #relayQueue}).
     */
    PublishResult publish(Message message, boolean confirm, Predicate<QueueTarget> into) {
        Exchange x = null;
        if (!message.exchange().isEmpty()) {
            x = vhost.existingExchange(message.exchange());
            if (x.internal()) {
                throw BrokerException.accessRefused("cannot publish to internal exchange '" + x.name()
                        + "' in vhost '" + vhost.name() + "'");
            }
        }
        RouteResult targets = router.route(x, message);
        String relay = relayQueue;
        if (into != null) {
            targets.retain(into);
        } else if (relay != null) {
            targets.retain(q -> !q.key().name().equals(relay));
        }
        metrics.published(x, targets.size(), confirm);
        if (targets.isEmpty()) {
            return new PublishResult(0, targets.heldWritten()); // held by a delayed exchange: durable, or at once
        }
        return metrics.confirming(targets.enqueue(engine, message, confirm), confirm);
    }

    /** Names this node's relay queue, which publishes made on this node never reach. */
    public void relayQueue(String queue) {
        relayQueue = queue;
    }

    /**
     * Routes {@code message} as {@link #publish} does, but enqueues it only into the transient classic queues whose
     * name {@code queueNames} accepts: the queues this node alone has. Replicated quorum queues and streams, which
     * the node that took the publish filled itself, are left out, and so are durable classic queues, of which every
     * node has a copy that its own publishes fill. For the relay of what another node published.
     */
    public PublishResult publishHere(Message message, Predicate<String> queueNames) {
        return publish(message, false, q -> q instanceof Queue && !q.durable() && queueNames.test(q.key().name()));
    }

    /** The queues a publish of {@code message} would reach, without enqueuing it (routing dry run). */
    List<String> route(Message message) {
        Exchange x = message.exchange().isEmpty() ? null : vhost.existingExchange(message.exchange());
        return router.dryRun(x, message).queues().keySet().stream().map(QueueTarget::name).toList();
    }
}
