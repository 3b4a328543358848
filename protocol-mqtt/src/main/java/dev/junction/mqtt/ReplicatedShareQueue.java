package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A share group's queue on a cluster node: one quorum queue for the whole cluster, named from the group and filter
 * alone ({@link TopicMapping#shareQueue}) so that every node finds the same one, declared and bound through the
 * engine's committed declarations so that every node routes into it, and consumed by the members on every node.
 * Each message is thus delivered to one member of the group, wherever it is connected (MQTT 5 section 4.8.2: a
 * message that matches a shared subscription goes to only one of its sessions), at the QoS that member was
 * granted [MQTT-4.8.2-3].
 *
 * <p>Nothing here waits on a thread: each step answers with the engine's future. A node asks to delete the queue
 * when its own last member left, with if-unused, which a replicated quorum queue judges by its own log (the
 * consumers of every node): while a member remains on another node the queue stays.
 */
final class ReplicatedShareQueue {
    /**
     * Tries of an if-unused deletion that the queue's log found in use. The leaving member's consumer is cancelled
     * just before, and its detach may reach the log after the usage question: asked again a little later, a queue
     * no member uses any more is deleted, one still used elsewhere is not.
     */
    static final int DELETE_TRIES = 4;
    static final long DELETE_RETRY_MS = 250;

    private final Vhost vhost;
    private final String exchange;
    private final Executor retryDelay;

    ReplicatedShareQueue(Vhost vhost, String exchange) {
        this(vhost, exchange, CompletableFuture.delayedExecutor(DELETE_RETRY_MS, TimeUnit.MILLISECONDS));
    }

    ReplicatedShareQueue(Vhost vhost, String exchange, Executor retryDelay) {
        this.vhost = vhost;
        this.exchange = exchange;
        this.retryDelay = retryDelay;
    }

    /** The group queue's declaration: durable and replicated, the same on every node (a redeclaration matches). */
    static QueueSpec spec(String queueName) {
        return new QueueSpec(queueName, true, false, false, Map.of("x-queue-type", "quorum"));
    }

    /**
     * Declares the queue (when this node has none) and its binding, each answered once the metadata log committed
     * it. A queue deleted by another node's last member between this node's look and the binding is declared again:
     * the joining member is a member, so the group has its queue.
     */
    CompletableFuture<Void> declare(String queueName, String bindingKey) {
        return declareOnce(queueName, bindingKey).exceptionallyCompose(error -> EngineCalls.kind(error) == ErrorKind.NOT_FOUND
                ? declareOnce(queueName, bindingKey) : CompletableFuture.failedFuture(error));
    }

    private CompletableFuture<Void> declareOnce(String queueName, String bindingKey) {
        CompletableFuture<?> declared = vhost.queue(queueName).isPresent() ? CompletableFuture.completedFuture(null)
                : EngineCalls.attempt(() -> vhost.declareQueueAsync(spec(queueName), null, null, false, name -> { }));
        Binding binding = Binding.toQueue(exchange, queueName, bindingKey, Map.of(Binding.MQTT_FILTER_ARGUMENT, true));
        return declared.thenCompose(q -> EngineCalls.attempt(() -> vhost.bindAsync(binding, null)));
    }

    /**
     * Deletes the queue unless a consumer of any node uses it or a persistent session other than {@code leaving}'s
     * is recorded as a member (offline, it consumes nothing, and its messages wait in the queue for it, as they
     * would on a single node: {@link ShareMemberships}); completes normally either way (a queue still in use
     * belongs to the members elsewhere; one already gone was deleted by another node), exceptionally only when the
     * deletion could not be asked or committed (a node cut off from the majority: the queue then stays, unused).
     */
    CompletableFuture<Void> deleteIfUnused(String queueName, String leaving) {
        return deleteIfUnused(queueName, leaving, DELETE_TRIES);
    }

    private CompletableFuture<Void> deleteIfUnused(String queueName, String leaving, int tries) {
        if (vhost.queue(queueName).isEmpty()
                || ShareMemberships.recordedMember(vhost, queueName, TopicMapping.sessionQueue(leaving))) {
            return CompletableFuture.completedFuture(null);
        }
        return EngineCalls.attempt(() -> vhost.deleteQueueAsync(queueName, true, false, null)).handle((n, error) -> {
            ErrorKind kind = error == null ? null : EngineCalls.kind(error);
            if (error == null || kind == ErrorKind.NOT_FOUND) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (kind == ErrorKind.PRECONDITION_FAILED) { // in use
                return tries > 1
                        ? CompletableFuture.runAsync(() -> { }, retryDelay)
                                .thenCompose(v -> deleteIfUnused(queueName, leaving, tries - 1))
                        : CompletableFuture.<Void>completedFuture(null);
            }
            return CompletableFuture.<Void>failedFuture(error);
        }).thenCompose(f -> f);
    }
}
