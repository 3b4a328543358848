package dev.junction.routing.quorum;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Message;
import dev.junction.routing.queue.DeadLetterStrategy;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a replicated quorum queue's dead letters go, by its strategy (RabbitMQ "Quorum Queues", "Dead Lettering"):
 * at most once, published here without a confirm (a missing exchange drops it, as for a classic queue); at least
 * once, kept in the queue's log until a publish with confirms reached every target ({@link #publishConfirmed}).
 */
final class QuorumDeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumDeadLetters.class);
    private final RoutingEngine engine;
    private final Queue definition;
    private final String vhost;
    private final String name;

    QuorumDeadLetters(RoutingEngine engine, Queue definition) {
        this.engine = engine;
        this.definition = definition;
        this.vhost = definition.key().vhost();
        this.name = definition.name();
    }

    /**
     * Whether the queue now dead-letters at least once: asked for, under reject-publish, with a dead-letter
     * exchange. Asked for without them it falls back to at most once, as RabbitMQ does, and says so in the log.
     */
    boolean atLeastOnce() {
        return QuorumLimits.atLeastOnce(definition.arguments().now());
    }

    /** Logs the strategy the queue's declaration in its log carries, when it is not the one asked for. */
    void declared(QuorumLimits limits) {
        QueueArguments a = definition.arguments().now();
        if (a.deadLetterStrategy() == DeadLetterStrategy.AT_LEAST_ONCE && !limits.deadLetterAtLeastOnce()) {
            LOG.warn("quorum queue '{}' in vhost '{}': x-dead-letter-strategy at-least-once needs x-overflow "
                    + "reject-publish and a dead-letter exchange; it dead-letters at most once", name, vhost);
        } else if (limits.deadLetterAtLeastOnce()) {
            LOG.debug("quorum queue '{}' in vhost '{}' dead-letters at least once", name, vhost);
        }
    }

    /** At most once: published here, unconfirmed. Log's apply thread (must not throw) or a channel's. */
    void deadLettered(Message m, String reason) {
        QueueArguments a = definition.arguments().now();
        if (a.deadLetterExchange() == null) {
            return;
        }
        Message dead = DeadLetters.annotate(m, name, reason, Instant.now(), a.deadLetterExchange(),
                a.deadLetterRoutingKey());
        // On the log's apply thread: a missing dead-letter exchange (a common setup) drops the message, as for a
        // classic queue; a publish would throw there and leave this replica's command half applied.
        engine.vhost(vhost).ifPresent(v -> v.deadLetter(dead, a.deadLetterExchange(), reason));
    }

    /**
     * At least once: publishes with confirms; true once every target took it. False without a dead-letter exchange
     * now (a policy or the queue may have changed since it was kept): it waits in the queue for one.
     */
    CompletableFuture<Boolean> publishConfirmed(Message m, String reason) {
        QueueArguments a = definition.arguments().now();
        if (a.deadLetterExchange() == null) {
            return CompletableFuture.completedFuture(false);
        }
        Message dead = DeadLetters.annotate(m, name, reason, Instant.now(), a.deadLetterExchange(),
                a.deadLetterRoutingKey());
        return engine.vhost(vhost).map(v -> v.deadLetterConfirmed(dead, a.deadLetterExchange(), reason))
                .orElseGet(() -> CompletableFuture.completedFuture(false));
    }
}
