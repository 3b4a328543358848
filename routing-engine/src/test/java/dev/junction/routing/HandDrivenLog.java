package dev.junction.routing;

import dev.junction.storage.Definition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster's metadata log driven by hand, for tests of what a cluster node's engine does before and after a
 * commit: entries wait in {@link #pending} until {@link #commitAll} applies them in order, as a node's state
 * machine would ({@link ReplicatedDefinitions#apply}, answering each entry with its result or refusal); a read
 * barrier completes at once and is counted; {@link #refusal} is a node that knows no leader.
 */
final class HandDrivenLog implements DefinitionLog {
    final List<Entry> pending = new ArrayList<>();
    Optional<String> refusal = Optional.empty();
    int barriers;
    DefaultQueueType defaultQueueType = DefaultQueueType.CLASSIC;

    record Entry(Definition definition, boolean delete, CompletableFuture<Object> answer) {
    }

    @Override
    public CompletableFuture<Object> commit(Definition definition, boolean delete) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        pending.add(new Entry(definition, delete, answer));
        return answer;
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        barriers++;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Optional<String> refusal() {
        return refusal;
    }

    @Override
    public DefaultQueueType defaultQueueType() {
        return defaultQueueType;
    }

    /** Applies every entry submitted so far to {@code engine}, in order. */
    void commitAll(RoutingEngine engine) {
        List<Entry> entries = new ArrayList<>(pending);
        pending.clear();
        for (Entry e : entries) {
            try {
                e.answer.complete(ReplicatedDefinitions.apply(engine, stored(engine, e), e.delete));
            } catch (RuntimeException refused) {
                e.answer.completeExceptionally(refused);
            }
        }
    }

    /** A deletion carries only the key; the apply needs the definition as stored (a binding's bytes). */
    private static Definition stored(RoutingEngine engine, Entry e) {
        if (!e.delete) {
            return e.definition;
        }
        return engine.store().definitions().all().stream().filter(d -> d.kind() == e.definition.kind()
                && d.vhost().equals(e.definition.vhost()) && d.name().equals(e.definition.name()))
                .findFirst().orElse(e.definition);
    }
}
