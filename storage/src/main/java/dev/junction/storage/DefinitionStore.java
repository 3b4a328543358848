package dev.junction.storage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Durable definitions: keyed by (kind, vhost, name); a second put with the same key replaces the first. */
public interface DefinitionStore {

    CompletableFuture<Void> put(Definition definition);

    CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name);

    /** All definitions, ordered by {@link DefinitionKind} and then in the order they were first put. */
    List<Definition> all();
}
