package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.delayed.DelayedMessages;
import dev.junction.routing.delayed.HeldStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code x-delayed-message} exchange of RabbitMQ's delayed-message plugin: it keeps its bindings and matches
 * them as the type named by its {@code x-delayed-type} argument does, but a message whose {@code x-delay} header
 * is a positive number of milliseconds (at most 2<sup>32</sup>-1, the plugin's bound) is held instead of routed.
 * When the delay is up the message is published again from this exchange with {@code x-delay} negated, so the
 * routing decision is made at due time with the bindings of that moment, and a released message is not held a
 * second time. A message without the header, or with a delay of zero or less, is routed at once.
 *
 * <p>A held message counts as unroutable at publish time, as with the plugin: a mandatory publish is returned. Held
 * messages live in {@link DelayedMessages}; on a durable exchange a persistent one is written to the store
 * ({@link HeldStore}) and its publisher confirm waits for that write, so it survives a restart or a crash.
 */
public final class DelayedExchange extends Exchange {
    /** The plugin's upper bound for {@code x-delay}; a larger value routes the message at once. */
    static final long MAX_DELAY = 4294967295L;
    private static final String DELAY = "x-delay";

    private static final CompletableFuture<Void> HELD_IN_MEMORY = CompletableFuture.completedFuture(null);

    private final Exchange underlying;
    /** Set once the owning vhost starts the exchange; until then (and after it stops) nothing is held. */
    private volatile DelayedMessages held;

    DelayedExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.DELAYED_MESSAGE);
        this.underlying = Exchange.create(spec, underlyingType(spec.arguments()));
    }

    /** The {@code x-delayed-type} argument, refused with the plugin's texts when missing or itself delayed. */
    static ExchangeType underlyingType(Map<String, Object> arguments) {
        String type = HeaderValues.asString(arguments.get("x-delayed-type"));
        if (ExchangeType.DELAYED_MESSAGE.wireName().equals(type)) {
            throw BrokerException.preconditionFailed(
                    "Invalid argument, 'x-delayed-message' can't be used for 'x-delayed-type'");
        }
        if (type == null) {
            throw BrokerException.preconditionFailed(
                    "Invalid argument, 'x-delayed-type' must be an existing exchange type");
        }
        return ExchangeType.fromWireName(type).orElseThrow(() ->
                new BrokerException(ErrorKind.COMMAND_INVALID, "unknown exchange type '" + type + "'"));
    }

    /**
     * Starts holding messages for {@code x} if it is a delayed exchange; {@code owner} runs its releases and time
     * index, {@code release} publishes a due message, and {@code store} makes the held store of a durable one
     * (called for durable exchanges only).
     */
    public static void start(Exchange x, ScheduledExecutorService timers, Executor owner, Consumer<Message> release,
                             Function<String, HeldStore> store) {
        if (x instanceof DelayedExchange delayed) {
            delayed.held = new DelayedMessages(timers, owner, release, x.durable() ? store.apply(x.name()) : null);
        }
    }

    /**
     * Rebuilds a recovered durable delayed exchange's time index from the store; returns the messages found. They
     * are released, when due, only after {@link #resume}.
     */
    public static long recover(Exchange x) {
        return x instanceof DelayedExchange delayed && delayed.held != null ? delayed.held.recover() : 0;
    }

    /** Starts releasing what {@link #recover} found, once every queue's stored messages are back. */
    public static void resume(Exchange x) {
        if (x instanceof DelayedExchange delayed && delayed.held != null) {
            delayed.held.resume();
        }
    }

    /** Drops what a deleted delayed exchange holds, as the plugin does. */
    public static void stop(Exchange x) {
        if (x instanceof DelayedExchange delayed && delayed.held != null) {
            delayed.held.stop();
            delayed.held = null;
        }
    }

    /** The type that matches this exchange's bindings. */
    public ExchangeType delayedType() {
        return underlying.type();
    }

    /** Messages held and not yet due (management API). */
    public long pending() {
        DelayedMessages h = held;
        return h == null ? 0 : h.pending();
    }

    /**
     * Holds {@code message} if its {@code x-delay} asks for it. Returns null when it is to be routed now; else the
     * store write the publisher's confirm waits for (completed already for a message held in memory). Runs on the
     * publisher's thread.
     */
    public CompletableFuture<Void> hold(Message message) {
        long delay = delayOf(message);
        DelayedMessages h = held;
        if (delay <= 0 || delay > MAX_DELAY || h == null) {
            return null;
        }
        Message released = message.withRouting(name(), message.routingKey()).withProperties(
                message.properties().toBuilder().header(DELAY, -delay).build());
        CompletableFuture<Void> written = h.hold(System.currentTimeMillis() + delay, released);
        return written != null ? written : HELD_IN_MEMORY;
    }

    /** What {@link #hold} would return for {@code message}, without holding it (a routing dry run). */
    public CompletableFuture<Void> wouldHold(Message message) {
        long delay = delayOf(message);
        return delay <= 0 || delay > MAX_DELAY || held == null ? null : HELD_IN_MEMORY;
    }

    /**
     * The header as a number of milliseconds; 0 when absent or of another kind. An integer, as the plugin reads it;
     * beyond the plugin, also a string of up to ten decimal digits, since an MQTT 5 user property (which becomes a
     * header of the same name) can only carry a string. The plugin routes a string-valued header at once.
     */
    static long delayOf(Message message) {
        Object v = message.properties().headers().get(DELAY);
        if (v instanceof Number n && HeaderValues.isInteger(v)) {
            return n.longValue();
        }
        String s = HeaderValues.asString(v);
        return s != null && !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9')
                ? Long.parseLong(s) : 0;
    }

    @Override
    public boolean bind(Binding binding) {
        return underlying.bind(binding);
    }

    @Override
    public boolean unbind(Binding binding) {
        return underlying.unbind(binding);
    }

    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        underlying.route(message, routingKeys, sink);
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return underlying.matches(binding, message);
    }

    @Override
    public Collection<Binding> bindings() {
        return underlying.bindings();
    }
}
