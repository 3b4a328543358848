package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/** Routes every message to every binding; keys are ignored. Bindings are held as {@link #route} emits them. */
final class FanoutExchange extends Exchange {
    private final Set<List<Binding>> all = new CopyOnWriteArraySet<>();

    FanoutExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.FANOUT);
    }

    @Override
    public boolean bind(Binding binding) {
        return all.add(alone(binding));
    }

    @Override
    public boolean unbind(Binding binding) {
        return all.remove(alone(binding));
    }

    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        all.forEach(sink);
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return true;
    }

    @Override
    public Collection<Binding> bindings() {
        return all.stream().map(one -> one.get(0)).toList();
    }
}
