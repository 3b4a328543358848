package dev.junction.routing;

import dev.junction.storage.Definition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster's metadata log as the engine's declarations see it (docs/cluster.md). Without a cluster the engine has
 * none and declares as it always did. With one, a declaration or deletion of a replicated definition is not made
 * here first: it is {@link #commit}ted, and takes effect on every node, this one included, when the node's state
 * machine applies the committed entry through {@link ReplicatedDefinitions}.
 */
public interface DefinitionLog {

    /**
     * Appends a put ({@code delete} false) or a deletion of {@code definition} to the log. Completes, on an engine
     * or log thread, with what applying the entry on this node returned ({@link ReplicatedDefinitions#apply}), once
     * the log committed it and this node applied it; fails with the engine's refusal when the apply refused it,
     * or with an {@code INTERNAL_ERROR} {@link dev.junction.routing.api.BrokerException} when the log did not
     * commit it.
     */
    CompletableFuture<Object> commit(Definition definition, boolean delete);

    /**
     * Completes once this node has applied every entry the log had committed when it was called: a read made after
     * it sees every change that was answered before it, on any node (Raft's read index).
     */
    CompletableFuture<Void> readBarrier();

    /** Why this node cannot change definitions now (it knows no leader); empty when it can. */
    Optional<String> refusal();

    /** The type of a durable queue declared without {@code x-queue-type} ({@code cluster.default_queue_type}). */
    default DefaultQueueType defaultQueueType() {
        return DefaultQueueType.CLASSIC;
    }
}
