package dev.junction.routing;

import dev.junction.routing.api.Message;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.Paging;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueHost;
import dev.junction.routing.queue.QueueMetrics;
import dev.junction.storage.MessageStore;
import java.util.ArrayList;
import java.util.List;
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
        List<Queue> targets = new ArrayList<>();
        for (Queue q : router.route(x, message)) {
            if (x == null && engine.authorization().mqttQueue(vhost.name(), q.name())) {
                // The default exchange reaches every queue by name, but an MQTT session queue takes messages only
                // from its own bindings and from its owner: a dead-letter key (or a CC key carried along) chosen by
                // whoever declared the dying queue must not write into another user's session.
                continue;
            }
            if (!DeadLetters.isCycle(message, q.name())) {
                targets.add(q);
            }
        }
        if (!targets.isEmpty()) {
            Enqueuer.enqueue(engine, message, targets, false);
        }
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
