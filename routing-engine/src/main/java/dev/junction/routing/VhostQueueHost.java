package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.Paging;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueHost;
import dev.junction.routing.queue.QueueMetrics;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.MessageStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A vhost as its queues see it: the engine's pool, timers, store and paging settings, dead-letter routing through
 * the vhost's exchanges, and retirement of queues whose own rules end them. Called from queue mailboxes; holds no
 * state of its own, so it needs no lock (retirement takes the vhost's).
 */
final class VhostQueueHost implements QueueHost {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualHost.class);

    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final EngineMetrics metrics;
    private final Router router;

    VhostQueueHost(VirtualHost vhost, RoutingEngine engine, EngineMetrics metrics, Router router) {
        this.vhost = vhost;
        this.engine = engine;
        this.metrics = metrics;
        this.router = router;
    }

    /** A quorum queue in a cluster is counted by its log's replica on this node. */
    @Override
    public dev.junction.routing.queue.QueueCounts countsElsewhere(Queue queue) {
        return engine.quorum().counts(queue);
    }

    @Override
    public Paging paging() {
        return engine.paging();
    }

    @Override
    public long recoveredUpTo() {
        return engine.recoveredUpTo();
    }

    @Override
    public void deadLetter(Message message, String exchangeName, String reason) {
        Exchange x = exchangeName.isEmpty() ? null : vhost.exchangeOrNull(exchangeName);
        if (x == null && !exchangeName.isEmpty()) {
            LOG.warn("dead-letter exchange '{}' in vhost '{}' does not exist; message dropped", exchangeName,
                    vhost.name());
            return;
        }
        metrics.deadLettered(reason);
        Map<QueueTarget, List<Binding>> targets = router.route(x, message).queues();
        // The default exchange reaches every queue by name, but an MQTT session queue takes messages only from its
        // own bindings and from its owner: a dead-letter key (or a CC key carried along) chosen by whoever declared
        // the dying queue must not write into another user's session.
        targets.keySet().removeIf(q -> (x == null && engine.authorization().mqttQueue(vhost.name(), q.name()))
                || DeadLetters.isCycle(message, q.name()));
        if (!targets.isEmpty()) {
            Enqueuer.enqueue(engine, message, targets, false);
        }
    }

    /**
     * Dead-letters with publisher confirms, for a quorum queue's at-least-once dead-lettering (RabbitMQ "Quorum
     * Queues", "Dead Lettering"): completes with true once every queue the message routes to has taken it (and the
     * store has written it, when persistent: {@link Enqueuer}), false when the exchange does not exist, it routes to
     * no queue, or a target refused it; the caller keeps it and tries again. A target left out as a dead-letter cycle
     * (RabbitMQ drops such messages) counts as taken: trying again would never reach it.
     */
    CompletableFuture<Boolean> deadLetterConfirmed(Message message, String exchangeName, String reason) {
        Exchange x = exchangeName.isEmpty() ? null : vhost.exchangeOrNull(exchangeName);
        if (x == null && !exchangeName.isEmpty()) {
            LOG.debug("dead-letter exchange '{}' in vhost '{}' does not exist; the dead letter waits", exchangeName,
                    vhost.name());
            return CompletableFuture.completedFuture(false);
        }
        Map<QueueTarget, List<Binding>> targets = router.route(x, message).queues();
        targets.keySet().removeIf(q -> x == null && engine.authorization().mqttQueue(vhost.name(), q.name()));
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        targets.keySet().removeIf(q -> DeadLetters.isCycle(message, q.name()));
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(true);
        }
        metrics.deadLettered(reason);
        return Enqueuer.enqueue(engine, message, targets, true).confirmed();
    }

    /**
     * The queue's own bindings (the vhost's reverse index, a copy of just those under the vhost's lock) that their
     * exchanges say match the message: O(the queue's bindings), one match each.
     */
    @Override
    public List<Binding> bindingsMatching(Queue queue, Message message) {
        List<Binding> own = vhost.bindingsTo(true, queue.name());
        List<Binding> matched = null;
        for (Binding b : own) {
            Exchange x = vhost.exchangeOrNull(b.source());
            if (x != null && x.matches(b, message)) {
                if (matched == null) {
                    matched = new ArrayList<>(own.size());
                }
                matched.add(b);
            }
        }
        return matched == null ? List.of() : List.copyOf(matched);
    }

    @Override
    public void queueUnused(Queue q) {
        vhost.retire(q);
    }

    @Override
    public String vhostName() {
        return vhost.name();
    }

    @Override
    public MessageStore store() {
        return engine.store();
    }

    @Override
    public Executor pool() {
        return engine.pool();
    }

    @Override
    public ScheduledExecutorService timers() {
        return engine.timers();
    }

    @Override
    public QueueMetrics metrics() {
        return metrics;
    }
}
