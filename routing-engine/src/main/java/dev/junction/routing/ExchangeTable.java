package dev.junction.routing;

import dev.junction.routing.api.Binding.DestinationKind;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.delayed.HeldStore;
import dev.junction.routing.exchange.DelayedExchange;
import dev.junction.routing.exchange.Exchange;
import dev.junction.storage.DefinitionKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exchanges of one vhost: the built-in {@code amq.*} ones and those declared, with their definitions in the
 * store, {@code max_exchanges}, and deletion (explicit, or automatic when an auto-delete exchange loses its last
 * binding), which takes the bindings from and into the exchange with it. Changes run under the vhost's lock; the
 * map is concurrent because publishers look exchanges up without it.
 */
final class ExchangeTable {
    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final BindingTable bindings;
    private final Map<String, Exchange> exchanges = new ConcurrentHashMap<>();
    /** The built-in amq.* exchanges, which do not count against {@code max_exchanges}. */
    private final int builtIn;
    /**
     * Runs the releases and time indexes of the vhost's delayed exchanges, one task at a time: so the index of an
     * exchange deleted and declared again under the same name is gone before the new one writes to it.
     */
    private final SerialExecutor delayedOwner;

    ExchangeTable(VirtualHost vhost, RoutingEngine engine, BindingTable bindings) {
        this.vhost = vhost;
        this.engine = engine;
        this.bindings = bindings;
        this.delayedOwner = new SerialExecutor(engine.pool(), "delayed exchanges in vhost '" + vhost.name() + "'");
        for (ExchangeType t : ExchangeType.STANDARD) {
            add(new ExchangeSpec("amq." + t.wireName(), t.wireName(), true, false, false, Map.of()), t);
        }
        add(new ExchangeSpec("amq.match", "headers", true, false, false, Map.of()), ExchangeType.HEADERS);
        builtIn = exchanges.size();
    }

    /** The named exchange, or null; no lock needed. */
    Exchange get(String name) {
        return exchanges.get(name);
    }

    Collection<Exchange> all() {
        return List.copyOf(exchanges.values());
    }

    /** The named exchange, or NOT_FOUND. */
    Exchange existing(String name) {
        Exchange x = exchanges.get(name);
        if (x == null) {
            throw BrokerException.notFound("no exchange '" + name + "' in vhost '" + vhost.name() + "'");
        }
        return x;
    }

    /** exchange.declare of a named exchange; see {@link VirtualHost#declareExchange}. */
    Exchange declare(ExchangeSpec spec, boolean passive) {
        Exchange existing = exchanges.get(spec.name());
        if (passive) {
            if (existing == null) {
                throw BrokerException.notFound("no exchange '" + spec.name() + "' in vhost '" + vhost.name() + "'");
            }
            return existing;
        }
        ExchangeType type = ExchangeType.fromWireName(spec.type()).orElseThrow(() ->
                new BrokerException(ErrorKind.COMMAND_INVALID, "unknown exchange type '" + spec.type() + "'"));
        if (existing != null) {
            Equivalence.exchange(vhost.name(), existing, spec);
            return existing;
        }
        if (spec.name().startsWith("amq.")) {
            throw BrokerException.accessRefused("exchange name '" + spec.name()
                    + "' contains reserved prefix 'amq.*'");
        }
        RelayedNames.refuseDeclare(spec);
        vhost.guard().checkMemory("exchange '" + spec.name() + "'");
        int max = vhost.guard().limits().maxExchanges();
        if (max > 0 && exchanges.size() - builtIn >= max) {
            // Worded like RabbitMQ's queue limit; RabbitMQ itself has no per-vhost exchange limit.
            throw BrokerException.preconditionFailed("cannot declare exchange '" + spec.name()
                    + "': exchange limit in vhost '" + vhost.name() + "' (" + max + ") is reached");
        }
        // Durable only, in a cluster too: there a client's transient exchange is committed through the metadata log
        // (CommittedDeclarations), whose apply writes each node's store itself; a transient exchange the broker
        // declares here directly at start (MQTT's mqtt.dropped) stays each node's own, with no leader needed.
        if (spec.durable()) {
            engine.requireWritableStore("exchange '" + spec.name() + "'");
        }
        Exchange x = add(spec, type);
        if (spec.durable()) {
            engine.store().definitions().put(DefinitionCodec.exchange(vhost.name(), spec));
        }
        return x;
    }

    private Exchange add(ExchangeSpec spec, ExchangeType type) {
        Exchange x = Exchange.create(spec, type);
        if (spec.durable() && !ExchangeType.STANDARD.contains(type)) {
            x.keepStateIn(new StoredExchangeState(engine.store().definitions(), vhost.name(), spec.name()));
        }
        DelayedExchange.start(x, engine.timers(), delayedOwner, released -> vhost.publish(released, false),
                name -> new HeldStore(
                        engine.store(), vhost.name(), name, engine::nextMessageId, MessageCodec::encode,
                        MessageCodec::decode));
        vhost.policies().applyTo(x);
        exchanges.put(spec.name(), x);
        return x;
    }

    /** exchange.delete of a declared exchange; a missing one is deleted already. */
    void delete(String name, boolean ifUnused) {
        Exchange x = exchanges.get(name);
        if (x == null) {
            return;
        }
        if (ifUnused && x.hasBindings()) {
            throw BrokerException.preconditionFailed("exchange '" + name + "' in vhost '" + vhost.name() + "' in use");
        }
        remove(x);
    }

    /** An auto-delete exchange goes when its last binding (as a source) goes. */
    void autoDeleteIfUnbound(Exchange x) {
        if (x.autoDelete() && !x.hasBindings() && exchanges.get(x.name()) == x) {
            remove(x);
        }
    }

    private void remove(Exchange x) {
        exchanges.remove(x.name());
        DelayedExchange.stop(x);
        bindings.removeAllFrom(x);
        // Bindings that lead into the deleted exchange go with it.
        bindings.removeAllInto(DestinationKind.EXCHANGE, x.name());
        if (ReplicatedExchange.of(engine, x)) {
            // In a cluster this goes through the metadata log, an auto-delete exchange's deletion included.
            engine.store().definitions().delete(DefinitionKind.EXCHANGE, vhost.name(), x.name());
            if (x.durable() && x.type() == ExchangeType.MESSAGE_DEDUPLICATION) {
                StoredExchangeState.deleteAll(engine.store().definitions(), vhost.name(), x.name());
            }
        }
    }

    /** A stored exchange at start-up; one of an unknown type is skipped. */
    void recover(ExchangeSpec spec) {
        ExchangeType.fromWireName(spec.type()).ifPresent(t -> {
            if (!exchanges.containsKey(spec.name())) {
                add(spec, t);
            }
        });
    }
}
