package dev.junction.storage.memory;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Definitions per kind in first-put order; a replacing put keeps the entry's position. */
final class InMemoryDefinitionStore implements DefinitionStore {

    private record Key(String vhost, String name) {
    }

    private final StoreGuard guard;
    private final Map<DefinitionKind, LinkedHashMap<Key, Definition>> byKind = new EnumMap<>(DefinitionKind.class);

    InMemoryDefinitionStore(StoreGuard guard) {
        this.guard = guard;
    }

    @Override
    public synchronized CompletableFuture<Void> put(Definition definition) {
        Objects.requireNonNull(definition, "definition");
        Definition copy = new Definition(
                Objects.requireNonNull(definition.kind(), "kind"),
                Objects.requireNonNull(definition.vhost(), "vhost"),
                Objects.requireNonNull(definition.name(), "name"),
                Objects.requireNonNull(definition.data(), "data").clone());
        guard.checkOpen();
        // LinkedHashMap.put on an existing key keeps that key's place in the iteration order.
        byKind.computeIfAbsent(copy.kind(), k -> new LinkedHashMap<>()).put(new Key(copy.vhost(), copy.name()), copy);
        return StoreGuard.done();
    }

    @Override
    public synchronized CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name) {
        Objects.requireNonNull(kind, "kind");
        Key key = new Key(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(name, "name"));
        guard.checkOpen();
        LinkedHashMap<Key, Definition> ofKind = byKind.get(kind);
        if (ofKind != null) {
            ofKind.remove(key);
        }
        return StoreGuard.done();
    }

    @Override
    public synchronized List<Definition> all() {
        guard.checkOpen();
        List<Definition> all = new ArrayList<>();
        // EnumMap iterates in ordinal order, which is the recovery order.
        for (LinkedHashMap<Key, Definition> ofKind : byKind.values()) {
            for (Definition d : ofKind.values()) {
                all.add(new Definition(d.kind(), d.vhost(), d.name(), d.data().clone()));
            }
        }
        return all;
    }

    synchronized void clear() {
        byKind.clear();
    }
}
