package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.QueueTarget;
import java.util.List;

/**
 * A vhost's publish path: the exchange looked up without the vhost's lock, routed by the {@link Router}, and the
 * message handed to the queues' mailboxes, counted in the vhost's metrics.
 */
final class VhostPublishing {
    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final EngineMetrics metrics;
    private final Router router;

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
        Exchange x = null;
        if (!message.exchange().isEmpty()) {
            x = vhost.existingExchange(message.exchange());
            if (x.internal()) {
                throw BrokerException.accessRefused("cannot publish to internal exchange '" + x.name()
                        + "' in vhost '" + vhost.name() + "'");
            }
        }
        RouteResult targets = router.route(x, message);
        metrics.published(x, targets.size(), confirm);
        if (targets.isEmpty()) {
            return new PublishResult(0, targets.heldWritten()); // held by a delayed exchange: durable, or at once
        }
        return metrics.confirming(targets.enqueue(engine, message, confirm), confirm);
    }

    /** The queues a publish of {@code message} would reach, without enqueuing it (routing dry run). */
    List<String> route(Message message) {
        Exchange x = message.exchange().isEmpty() ? null : vhost.existingExchange(message.exchange());
        return router.dryRun(x, message).queues().keySet().stream().map(QueueTarget::name).toList();
    }
}
