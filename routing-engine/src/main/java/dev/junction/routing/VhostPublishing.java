package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.NodeRelays;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
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
     * The queue through which the other nodes of a cluster pass on to this node what is published there for the
     * queues this node alone has (its relay, {@code api.NodeRelay}), and the relay's answer to a binding into one of
     * them; null alone. Nothing routed on this node goes into its own relay ({@link #skips}).
     */
    private volatile String relayQueue;
    private volatile Function<Binding, CompletableFuture<Void>> relayCover;

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

    /** {@link #publish}, into the queues {@code into} accepts of those the message reaches (all when null). */
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
        if (into != null) {
            targets.retain(into);
        }
        metrics.published(x, targets.size(), confirm);
        if (targets.isEmpty()) {
            return new PublishResult(0, targets.heldWritten()); // held by a delayed exchange: durable, or at once
        }
        return metrics.confirming(targets.enqueue(engine, message, confirm), confirm);
    }

    /** Installs this node's relay: its queue and how it answers a binding into a queue of this node alone. */
    public void relayThrough(String queue, Function<Binding, CompletableFuture<Void>> cover) {
        relayQueue = queue;
        relayCover = cover;
    }

    /** Whether routing on this node leaves {@code queueName} out: its own relay, which other nodes fill. */
    boolean skips(String queueName) {
        String relay = relayQueue;
        return relay != null && relay.equals(queueName);
    }

    /**
     * The relay a publish through the default exchange to {@code key} goes into when it is a direct reply-to name
     * of another node ({@link DirectReplies}): that node's, if it has one in this vhost (the router looks); null
     * alone, for a name of no node, and for this node's own (which the router leaves out).
     */
    String replyRelay(String key) {
        String node = relayQueue == null ? null : DirectReplies.nodeOf(key);
        return node == null ? null : NodeRelays.relayOf(node);
    }

    /** Completes once this node's relay carries what other nodes route for {@code b} (at once without a relay). */
    public CompletableFuture<Void> relayed(Binding b) {
        Function<Binding, CompletableFuture<Void>> cover = relayCover;
        return cover == null ? CompletableFuture.completedFuture(null) : cover.apply(b);
    }

    /**
     * Whether {@code q} is a queue this node alone has: a transient or exclusive classic queue. Other queues are
     * replicated (quorum queues) or have a copy on every node that each node's own publishes fill (durable classic
     * queues, streams), so a relay leaves them out.
     */
    public static boolean nodeOnly(QueueTarget q) {
        return q instanceof Queue c && (!c.durable() || c.spec().exclusive());
    }

    /**
     * Routes {@code message}, which another node published and relayed here, as {@link #publish} does, but enqueues
     * it only into the queues this node alone has ({@link #nodeOnly}); no confirmation.
     */
    public PublishResult publishHere(Message message) {
        return publish(message, false, VhostPublishing::nodeOnly);
    }

    /** The queues a publish of {@code message} would reach, without enqueuing it (routing dry run). */
    List<String> route(Message message) {
        Exchange x = message.exchange().isEmpty() ? null : vhost.existingExchange(message.exchange());
        return router.dryRun(x, message).queues().keySet().stream().map(QueueTarget::name).toList();
    }
}
