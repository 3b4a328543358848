package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Policy;
import dev.junction.routing.policy.PolicyDefinition;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An exchange: a name, its declared settings and the bindings whose source it is. Subclasses keep bindings in
 * the structure their matching needs, found by source and key; the owning vhost indexes them by destination.
 * Binding changes are serialized by the owning vhost; {@link #route} runs on publishers' threads concurrently
 * with them and never locks.
 */
public abstract class Exchange {
    private final ExchangeSpec spec;
    private final ExchangeType type;
    /** What adapters are told about it: made once, as both parts are final, not per look-up (one per publish). */
    private final ExchangeInfo info;
    /** Set by the vhost under its lock when a policy starts or stops applying; read by publishers. */
    private volatile Policy policy;
    private volatile String policyAlternateExchange;
    private final ExchangeStats stats = new ExchangeStats();

    protected Exchange(ExchangeSpec spec, ExchangeType type) {
        this.spec = spec;
        this.type = type;
        this.info = new ExchangeInfo(spec, type);
    }

    public static Exchange create(ExchangeSpec spec, ExchangeType type) {
        return switch (type) {
            case DIRECT -> new DirectExchange(spec);
            case FANOUT -> new FanoutExchange(spec);
            case TOPIC -> new TopicExchange(spec);
            case HEADERS -> new HeadersExchange(spec);
            case CONSISTENT_HASH -> new ConsistentHashExchange(spec);
            case MESSAGE_DEDUPLICATION -> new DeduplicationExchange(spec);
            case DELAYED_MESSAGE -> new DelayedExchange(spec);
        };
    }

    public String name() {
        return spec.name();
    }

    public ExchangeType type() {
        return type;
    }

    /** Messages published into the exchange and routed on (management API). */
    public ExchangeStats stats() {
        return stats;
    }

    public ExchangeSpec spec() {
        return spec;
    }

    public ExchangeInfo info() {
        return info;
    }

    public boolean durable() {
        return spec.durable();
    }

    public boolean autoDelete() {
        return spec.autoDelete();
    }

    public boolean internal() {
        return spec.internal();
    }

    public Map<String, Object> arguments() {
        return spec.arguments();
    }

    /**
     * The exchange that receives messages this one cannot route, or null: the {@code alternate-exchange} argument,
     * else the policy's, since RabbitMQ lets the argument win ({@code rabbit_exchange}, policy lookup for
     * {@code alternate-exchange}).
     */
    public String alternateExchange() {
        String declared = HeaderValues.asString(spec.arguments().get("alternate-exchange"));
        return declared != null ? declared : policyAlternateExchange;
    }

    /** The policy that applies to the exchange, or null. */
    public Policy policy() {
        return policy;
    }

    /** Applies {@code policy} (null: none) with its checked {@code definition} (null: none). */
    public void applyPolicy(Policy policy, PolicyDefinition definition) {
        this.policyAlternateExchange = definition == null ? null : definition.alternateExchange();
        this.policy = policy;
        policyChanged(definition == null ? PolicyDefinition.NONE : definition);
    }

    /** What a type does with the keys of its policy beyond {@code alternate-exchange}; by default nothing. */
    protected void policyChanged(PolicyDefinition definition) {
    }

    /** Adds a binding; returns false when the same binding already exists. */
    public abstract boolean bind(Binding binding);

    /** Whether this exact binding exists. */
    public boolean hasBinding(Binding binding) {
        return bindings().contains(binding);
    }

    /** Removes a binding; returns false when it did not exist. */
    public abstract boolean unbind(Binding binding);

    /**
     * Emits every binding that matches one of {@code routingKeys} (the key, or CC/BCC keys), each as a list holding
     * just that binding. The list is the binding's own, made once when it was bound and emitted every time it
     * matches: the engine keeps it with the queue entry as the delivery's {@code matched()}, so routing a message
     * allocates nothing to say which binding took it there.
     */
    public abstract void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink);

    /**
     * Whether {@code binding}, one of this exchange's, matches the message by its own routing key (or headers),
     * CC and BCC keys aside: what {@link #route} would have said of that binding alone. For a message that no
     * longer knows which bindings took it to its queue; costs one match of that binding.
     */
    public abstract boolean matches(Binding binding, Message message);

    /** The list a binding is emitted as by {@link #route}: one per binding, shared by every message it routes. */
    protected static List<Binding> alone(Binding binding) {
        return Collections.singletonList(binding);
    }

    public abstract Collection<Binding> bindings();

    /**
     * Gives a durable exchange that remembers something between messages the place to keep it (the engine calls
     * this once, when the exchange is declared or recovered). Most exchanges remember nothing and ignore it.
     */
    public void keepStateIn(ExchangeState state) {
    }

    /** Restores one entry that {@link #keepStateIn} stored before a restart; ignored by exchanges with no state. */
    public void recoverState(String key, byte[] data) {
    }

    public boolean hasBindings() {
        return !bindings().isEmpty();
    }

    @Override
    public String toString() {
        return "exchange '" + name() + "'";
    }
}
