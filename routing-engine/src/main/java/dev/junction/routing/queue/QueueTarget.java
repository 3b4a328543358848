package dev.junction.routing.queue;

import dev.junction.routing.Confirmation;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Message;
import dev.junction.storage.QueueKey;
import java.util.List;

/**
 * A queue of any type as routing and deliveries see it: a classic {@link Queue}, or a stream
 * ({@code routing.stream}). The router collects targets, the enqueuer hands each its message, a delivery settles
 * back into its target and a credit limit wakes the targets parked on it; none of them needs to know the type.
 */
public interface QueueTarget extends DeliverySource {

    QueueKey key();

    boolean durable();

    /**
     * Whether a persistent message for this target is written to the shared message store (and the id passed to
     * {@link #enqueue}); a stream keeps its own log instead.
     */
    default boolean usesMessageStore() {
        return durable();
    }

    /**
     * Takes a routed message; {@code storeId} is its id in the message store or 0; answers {@code confirmation}
     * once the message is taken (for a stream: on disk) or refused.
     */
    void enqueue(Message message, long storeId, Confirmation confirmation, List<Binding> matched);

    /** Whether publishers should pause for this target. */
    boolean congested();

    /** Runs {@code callback} once publishers may go on. */
    void whenRelieved(Runnable callback);

    /** Credit was released or a consumer became ready: try delivering again. */
    void kick();

    /** The arguments in force (the acknowledgement timeout a delivery reports). */
    EffectiveArguments arguments();

    /** The target's bindings that {@code message} matches now; any thread. */
    List<Binding> bindingsMatching(Message message);
}
