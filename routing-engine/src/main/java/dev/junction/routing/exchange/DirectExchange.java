package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * Routes on exact equality of routing key and binding key: one hash lookup per key. Each binding is held as the
 * list {@link #route} emits (see {@link Exchange#alone}).
 */
final class DirectExchange extends Exchange {
    private final Map<String, Set<List<Binding>>> byKey = new ConcurrentHashMap<>();

    DirectExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.DIRECT);
    }

    @Override
    public boolean bind(Binding binding) {
        return byKey.computeIfAbsent(binding.routingKey(), k -> new CopyOnWriteArraySet<>()).add(alone(binding));
    }

    @Override
    public boolean hasBinding(Binding binding) {
        Set<List<Binding>> set = byKey.get(binding.routingKey());
        return set != null && set.contains(alone(binding));
    }

    @Override
    public boolean unbind(Binding binding) {
        Set<List<Binding>> set = byKey.get(binding.routingKey());
        if (set == null || !set.remove(alone(binding))) {
            return false;
        }
        if (set.isEmpty()) {
            byKey.remove(binding.routingKey(), set);
        }
        return true;
    }

    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        for (int i = 0; i < routingKeys.size(); i++) {
            Set<List<Binding>> set = byKey.get(routingKeys.get(i));
            if (set != null) {
                set.forEach(sink);
            }
        }
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return binding.routingKey().equals(message.routingKey());
    }

    @Override
    public Collection<Binding> bindings() {
        List<Binding> all = new ArrayList<>();
        byKey.values().forEach(set -> set.forEach(one -> all.add(one.get(0))));
        return all;
    }

    @Override
    public boolean hasBindings() {
        return !byKey.isEmpty();
    }
}
