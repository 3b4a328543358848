package dev.junction.storage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable definitions: keyed by (kind, vhost, name); a second put with the same key replaces the first and keeps
 * its position. A definition deleted and put again counts as first put at that later time. Byte arrays are
 * copied in and out as described on {@link MessageStore}.
 */
public interface DefinitionStore {

    CompletableFuture<Void> put(Definition definition);

    /** Deleting a key that is not stored does nothing. */
    CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name);

    /** All definitions, ordered by {@link DefinitionKind} and then in the order they were first put. */
    List<Definition> all();

    /**
     * Why a put would be refused now, checked before a durable declaration changes anything: empty for a local
     * store; a cluster's replicated store names the missing quorum (docs/cluster.md).
     */
    default Optional<String> refusal() {
        return Optional.empty();
    }
}
