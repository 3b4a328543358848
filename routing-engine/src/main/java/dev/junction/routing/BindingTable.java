package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Binding.DestinationKind;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.DefinitionKind;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bindings of one vhost as its declarations see them: how many there are (for {@code max_bindings}), their
 * definitions in the store, and a reverse index from each destination (a queue or an exchange) to the bindings
 * that lead into it. The bindings themselves live in their source exchanges, in whatever structure routing needs
 * (a hash by key, a {@link dev.junction.routing.topic.TopicTrie}); this table never routes.
 *
 * <h2>Why a reverse index</h2>
 * Deleting a queue or an exchange removes every binding into it. Exchanges find bindings by source and key, not
 * by destination, so without the index the vhost asked every exchange to list all of its bindings and keep those
 * into the deleted one: each delete cost a copy of every binding in the vhost, under the vhost's lock. Every
 * clean-session MQTT disconnect deletes its session queue, and all MQTT subscriptions of a vhost are bindings of
 * one topic exchange, so with 100,000 sessions each disconnect copied 100,000 bindings and stalled every
 * declaration of the vhost while it did. With the index a delete costs O(the destination's own bindings): one
 * hash lookup, then one removal from its source exchange per binding (a session queue: its subscriptions).
 *
 * <h2>Cost</h2>
 * One entry per binding in a hash set per destination, besides the exchange's own entry: some tens of bytes per
 * binding. Adding and removing a binding cost O(1) expected here; {@link #into} copies only the destination's
 * bindings. Equality is {@link Binding}'s (key and arguments compared as AMQP values), the same the exchanges
 * use, so a binding the exchange treats as a duplicate is one entry here too.
 *
 * <h2>Concurrency</h2>
 * Every method runs under the vhost's lock, as every binding change does, so plain hash maps suffice and the
 * index, the count and the exchanges agree whenever the lock is free. Publishers never read the table: routing
 * reads the exchanges, without locks, so keeping the index costs publishing nothing.
 */
final class BindingTable {
    /** The destination side of a binding: queue and exchange names are separate namespaces. */
    private record Destination(DestinationKind kind, String name) {
    }

    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final Map<Destination, Set<Binding>> byDestination = new HashMap<>();
    /** Bindings whose source is one of the vhost's exchanges (all of them are in {@link #byDestination}). */
    private int count;

    BindingTable(VirtualHost vhost, RoutingEngine engine) {
        this.vhost = vhost;
        this.engine = engine;
    }

    /** Bindings in the vhost now. */
    int count() {
        return count;
    }

    /** The bindings leading into a destination: a copy, O(its own bindings). */
    List<Binding> into(DestinationKind kind, String name) {
        Set<Binding> set = byDestination.get(new Destination(kind, name));
        return set == null ? List.of() : List.copyOf(set);
    }

    /**
     * queue.bind and exchange.bind (the vhost has refused the default exchange): checks that source and destination
     * exist, that {@code owner} may use the queue, the store, memory and {@code max_bindings}; a repeated binding is
     * a no-op.
     */
    void bind(Binding b, Object owner) {
        Exchange source = vhost.existingExchange(b.source());
        boolean storedDestination;
        if (b.toQueue()) {
            Queue q = vhost.streams().get(b.destination()) != null ? null : vhost.usableQueue(b.destination(), owner);
            storedDestination = q == null || (q.durable() && !q.spec().exclusive()); // null: a stream, durable
        } else {
            storedDestination = ReplicatedExchange.of(engine, vhost.existingExchange(b.destination()));
        }
        boolean stored = ReplicatedExchange.of(engine, source) && storedDestination;
        if (stored && !engine.store().writable() && !source.hasBinding(b)) {
            engine.requireWritableStore("a binding of exchange '" + b.source() + "'");
        }
        if (!source.hasBinding(b)) {
            vhost.guard().checkMemory("binding from '" + b.source() + "' to '" + b.destination() + "'");
            int max = vhost.guard().limits().maxBindings();
            if (max > 0 && count >= max) {
                throw BrokerException.preconditionFailed("cannot bind '" + b.destination() + "' to '"
                        + b.source() + "': binding limit in vhost '" + vhost.name() + "' (" + max + ") is reached");
            }
        }
        add(source, b, stored);
    }

    /** queue.unbind and exchange.unbind; see {@link VirtualHost#unbind}. */
    void unbind(Binding b, Object owner) {
        if (b.toQueue() && vhost.queue(b.destination()).isPresent()) {
            vhost.usableQueue(b.destination(), owner);
        }
        Exchange source = vhost.exchangeOrNull(b.source());
        if (source == null) {
            return;
        }
        remove(source, b);
        vhost.autoDeleteIfUnbound(source);
    }

    /** A stored binding at start-up: restored when its source and destination were restored too. */
    void recover(Binding b) {
        Exchange source = vhost.exchangeOrNull(b.source());
        boolean destinationExists = b.toQueue()
                ? vhost.queue(b.destination()).isPresent() || vhost.streams().get(b.destination()) != null
                : vhost.exchangeOrNull(b.destination()) != null;
        if (source != null && destinationExists) {
            add(source, b, false);
        }
    }

    /**
     * Adds {@code b} to {@code source}; returns false when that binding already existed. {@code persist} records its
     * definition (a source {@link ReplicatedExchange} keeps, and a durable destination). Limits are the caller's to
     * check first.
     */
    private boolean add(Exchange source, Binding b, boolean persist) {
        if (!source.bind(b)) {
            return false;
        }
        byDestination.computeIfAbsent(destinationOf(b), d -> new LinkedHashSet<>()).add(b);
        count++;
        if (persist) {
            engine.store().definitions().put(DefinitionCodec.binding(vhost.name(), b));
        }
        return true;
    }

    /** Removes {@code b} from {@code source} and forgets its definition; returns false when it did not exist. */
    boolean remove(Exchange source, Binding b) {
        if (!source.unbind(b)) {
            return false;
        }
        Destination d = destinationOf(b);
        Set<Binding> set = byDestination.get(d);
        if (set != null && set.remove(b) && set.isEmpty()) {
            byDestination.remove(d);
        }
        count--;
        engine.store().definitions().delete(DefinitionKind.BINDING, vhost.name(), DefinitionCodec.bindingName(b));
        return true;
    }

    /** Removes every binding whose source is {@code x} (an exchange being deleted): O(x's bindings). */
    void removeAllFrom(Exchange x) {
        for (Binding b : List.copyOf(x.bindings())) {
            remove(x, b);
        }
    }

    /**
     * Removes every binding into a destination being deleted, then lets each source that lost one auto-delete
     * (which may remove further bindings; each is looked up again, so one removed meanwhile is skipped).
     */
    void removeAllInto(DestinationKind kind, String name) {
        for (Binding b : into(kind, name)) {
            Exchange source = vhost.exchangeOrNull(b.source());
            if (source != null && remove(source, b)) {
                vhost.autoDeleteIfUnbound(source);
            }
        }
    }

    private static Destination destinationOf(Binding b) {
        return new Destination(b.destinationKind(), b.destination());
    }
}
