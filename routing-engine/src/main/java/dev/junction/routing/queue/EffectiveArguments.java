package dev.junction.routing.queue;

import dev.junction.routing.api.Policy;
import dev.junction.routing.policy.PolicyDefinition;
import java.util.Map;

/**
 * A queue's arguments in effect: those it was declared with, merged with the definition of the policy that applies
 * to it, key by key as RabbitMQ's classic queues merge them ({@code rabbit_amqqueue_process}, "process_args_policy"):
 * <ul>
 *   <li>{@code message-ttl}, {@code expires}, {@code max-length}, {@code max-length-bytes}: the lower of the argument
 *       and the policy value;</li>
 *   <li>{@code delivery-limit} and {@code consumer-timeout}: the lower too (RabbitMQ resolves both with
 *       {@code min});</li>
 *   <li>{@code overflow}, {@code dead-letter-exchange}, {@code dead-letter-routing-key}, a quorum queue's
 *       {@code dead-letter-strategy}, and Junction's own {@code retry-delays}: the argument when the queue was
 *       declared with one, else the policy's;</li>
 *   <li>the deduplication plugin's {@code x-message-deduplication}: the policy's when it has one, as the plugin
 *       does ({@link #deduplicates}).</li>
 * </ul>
 * {@code x-max-priority} and {@code x-single-active-consumer} are fixed at declaration (RabbitMQ has no policy keys
 * for them). The merged arguments change on the queue's thread only, when its policy changes; other threads may
 * read them (a snapshot) and the policy, which the vhost sets when it decides, before the queue has applied it.
 */
public final class EffectiveArguments {
    private final QueueArguments declared;
    private final boolean overflowDeclared;
    private final boolean strategyDeclared;
    private volatile QueueArguments now;
    private volatile Policy policy;
    /** The policy's {@code x-message-deduplication}, null when it says nothing. */
    private volatile Boolean deduplication;

    public EffectiveArguments(QueueArguments declared, Map<String, Object> given) {
        this.declared = declared;
        // QueueArguments says drop-head when x-overflow is absent; only a declared one wins over the policy.
        this.overflowDeclared = given.containsKey("x-overflow");
        this.strategyDeclared = given.containsKey("x-dead-letter-strategy");
        this.now = declared;
    }

    /** The arguments the queue was declared with. */
    public QueueArguments declared() {
        return declared;
    }

    /** The arguments in effect now. */
    public QueueArguments now() {
        return now;
    }

    /** The policy that applies to the queue, or null; its definition as given (RabbitMQ's effective definition). */
    public Policy policy() {
        return policy;
    }

    void policy(Policy p) {
        policy = p;
    }

    /** On the queue's thread: merges {@code definition} over the declared arguments; true when anything changed. */
    boolean apply(PolicyDefinition definition) {
        deduplication = definition.deduplication().messageDeduplication();
        QueueArguments next = merge(declared, overflowDeclared, strategyDeclared, definition);
        boolean changed = !next.equals(now);
        now = next;
        return changed;
    }

    /**
     * Whether the queue deduplicates: the policy's {@code x-message-deduplication} when it has one (the plugin reads
     * the policy's definition before the arguments), else {@code declared}.
     */
    boolean deduplicates(boolean declared) {
        Boolean p = deduplication;
        return p != null ? p : declared;
    }

    static QueueArguments merge(QueueArguments a, boolean overflowDeclared, boolean strategyDeclared,
            PolicyDefinition p) {
        Overflow overflow = overflowDeclared || p.overflow() == null ? a.overflow()
                : Overflow.fromWireName(p.overflow());
        DeadLetterStrategy strategy = strategyDeclared || p.deadLetterStrategy() == null ? a.deadLetterStrategy()
                : DeadLetterStrategy.fromWireName(p.deadLetterStrategy());
        return new QueueArguments(
                lower(a.messageTtl(), p.messageTtl()),
                lower(a.expires(), p.expires()),
                lower(a.maxLength(), p.maxLength()),
                lower(a.maxLengthBytes(), p.maxLengthBytes()),
                overflow,
                a.deadLetterExchange() != null ? a.deadLetterExchange() : p.deadLetterExchange(),
                a.deadLetterRoutingKey() != null ? a.deadLetterRoutingKey() : p.deadLetterRoutingKey(),
                a.maxPriority(),
                a.singleActiveConsumer(),
                lower(a.deliveryLimit(), p.deliveryLimit()),
                a.retryDelays() != null ? a.retryDelays() : p.retryDelays(),
                lower(a.consumerTimeout(), p.consumerTimeout()),
                strategy);
    }

    private static Long lower(Long argument, Long policy) {
        if (argument == null) {
            return policy;
        }
        return policy == null ? argument : Long.valueOf(Math.min(argument, policy));
    }
}
