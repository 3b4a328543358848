package dev.junction.cluster;

import dev.junction.routing.ReplicatedDefinitions;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine's {@link DefinitionStore} on a cluster node. Exchanges, queue definitions, bindings and vhosts
 * ({@link ReplicatedDefinitions#KINDS}) go to the metadata log instead of the local store; when the log commits
 * them, every node (this one included) writes them to its local store and declares them in its engine. Other
 * kinds, and every write made while an entry is being applied, stay local. Reads are the local store's, which
 * holds what this node has applied.
 */
final class ReplicatedDefinitionStore implements DefinitionStore {

    /** True on the apply thread while it applies an entry: the engine's writes then are that entry's own. */
    private static final ThreadLocal<Boolean> APPLYING = ThreadLocal.withInitial(() -> false);

    private final DefinitionStore local;
    private volatile Function<MetadataCommand, CompletableFuture<Void>> log;
    private volatile Supplier<Optional<String>> refusal = Optional::empty;

    ReplicatedDefinitionStore(DefinitionStore local) {
        this.local = local;
    }

    /** From now on, replicated kinds go to {@code log}; until then (the engine's own recovery) all stays local. */
    void replicateThrough(Function<MetadataCommand, CompletableFuture<Void>> log, Supplier<Optional<String>> why) {
        this.refusal = why;
        this.log = log;
    }

    @Override
    public CompletableFuture<Void> put(Definition definition) {
        return replicated(definition.kind()) ? log.apply(MetadataCommand.put(definition)) : local.put(definition);
    }

    @Override
    public CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name) {
        return replicated(kind) ? log.apply(MetadataCommand.delete(kind, vhost, name))
                : local.delete(kind, vhost, name);
    }

    @Override
    public List<Definition> all() {
        return local.all();
    }

    @Override
    public Optional<String> refusal() {
        return APPLYING.get() ? Optional.empty() : refusal.get();
    }

    private boolean replicated(DefinitionKind kind) {
        return log != null && !APPLYING.get() && ReplicatedDefinitions.KINDS.contains(kind);
    }

    /**
     * Applies a committed entry: the engine first, then (a put the engine accepted) the local store, so a
     * definition the engine refused (a conflicting declaration) is not what a restart recovers; the engine's own
     * store writes for it stay local. Returns the engine's result; throws its refusal.
     */
    Object apply(MetadataCommand command, EngineSide engine) {
        APPLYING.set(true);
        try {
            Definition d = command.definition();
            if (command.op() == MetadataCommand.Op.PUT) {
                Object result = engine.apply(d, false);
                local.put(d);
                return result;
            }
            Definition stored = stored(d);
            local.delete(d.kind(), d.vhost(), d.name());
            return stored == null ? null : engine.apply(stored, true);
        } finally {
            APPLYING.set(false);
        }
    }

    /** The replicated definitions this node has applied, for a snapshot. */
    List<Definition> replicated() {
        return local.all().stream().filter(d -> ReplicatedDefinitions.KINDS.contains(d.kind())).toList();
    }

    /**
     * Puts each of {@code snapshot}; with {@code exactly}, first deletes what this node holds beyond them
     * (deletions it missed while the log before the snapshot was purged).
     */
    void restore(List<Definition> snapshot, boolean exactly, EngineSide engine) {
        java.util.Set<List<String>> kept = new java.util.HashSet<>();
        for (Definition d : snapshot) {
            kept.add(key(d));
        }
        for (Definition d : exactly ? replicated() : List.<Definition>of()) {
            if (!kept.contains(key(d))) {
                applyLogged(MetadataCommand.delete(d.kind(), d.vhost(), d.name()), engine);
            }
        }
        for (Definition d : snapshot) {
            applyLogged(MetadataCommand.put(d), engine);
        }
    }

    private void applyLogged(MetadataCommand command, EngineSide engine) {
        try {
            apply(command, engine);
        } catch (RuntimeException e) {
            MetadataLog.refusedHere(command, e);
        }
    }

    private static List<String> key(Definition d) {
        return List.of(d.kind().name(), d.vhost(), d.name());
    }

    /** The stored form of a key: a deleted binding is decoded from the bytes it was put with. */
    private Definition stored(Definition key) {
        for (Definition d : local.all()) {
            if (d.kind() == key.kind() && d.vhost().equals(key.vhost()) && d.name().equals(key.name())) {
                return d;
            }
        }
        return null;
    }

    /** Where an applied entry goes in this node's engine ({@link ReplicatedDefinitions#apply}). */
    interface EngineSide {
        Object apply(Definition d, boolean delete);
    }
}
