package dev.junction.routing.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.routing.quorum.QuorumLimits;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A quorum queue's dead-letter strategy (RabbitMQ "Quorum Queues", "Dead Lettering", at-least-once dead-lettering):
 * {@code x-dead-letter-strategy} or the policy key {@code dead-letter-strategy}, {@code at-most-once} (the default)
 * or {@code at-least-once}, the argument winning over the policy; at-least-once applies only with {@code x-overflow}
 * {@code reject-publish} and a dead-letter exchange, else the queue falls back to at-most-once.
 */
class DeadLetterStrategyTest {
    private static final String WHAT = "queue 'q' in vhost '/'";

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void atMostOnceByDefaultAndAtLeastOnceWhenAskedFor() {
        assertThat(QueueArguments.parse(args(), WHAT).deadLetterStrategy()).isEqualTo(DeadLetterStrategy.AT_MOST_ONCE);
        assertThat(QueueArguments.parse(args("x-dead-letter-strategy", "at-least-once"), WHAT).deadLetterStrategy())
                .isEqualTo(DeadLetterStrategy.AT_LEAST_ONCE);
        assertThatThrownBy(() -> QueueArguments.parse(args("x-dead-letter-strategy", "twice"), WHAT))
                .isInstanceOf(BrokerException.class).hasMessageContaining("x-dead-letter-strategy");
        assertThatThrownBy(() -> PolicyDefinition.parse(Map.of("dead-letter-strategy", "twice")))
                .isInstanceOf(BrokerException.class).hasMessageContaining("dead letter strategy");
    }

    /**
     * RabbitMQ lists {@code x-dead-letter-strategy} among the arguments a redeclaration must repeat: another value is
     * 406 PRECONDITION_FAILED, as for the other dead-letter arguments.
     */
    @Test
    void aRedeclarationWithAnotherStrategyIsInequivalent() {
        Map<String, Object> declared = args("x-queue-type", "quorum", "x-dead-letter-strategy", "at-least-once");
        QueueArguments.checkEquivalent(declared, args("x-queue-type", "quorum", "x-dead-letter-strategy",
                "at-least-once"), WHAT);
        assertThatThrownBy(() -> QueueArguments.checkEquivalent(declared, args("x-queue-type", "quorum",
                "x-dead-letter-strategy", "at-most-once"), WHAT)).isInstanceOf(BrokerException.class)
                .hasMessageContaining("inequivalent arg 'x-dead-letter-strategy'");
        assertThatThrownBy(() -> QueueArguments.checkEquivalent(declared, args("x-queue-type", "quorum"), WHAT))
                .isInstanceOf(BrokerException.class).hasMessageContaining("x-dead-letter-strategy");
    }

    /** RabbitMQ: at-least-once needs reject-publish and a dead-letter exchange, else it is at-most-once. */
    @Test
    void atLeastOnceAppliesOnlyWithRejectPublishAndADeadLetterExchange() {
        Map<String, Object> full = args("x-dead-letter-strategy", "at-least-once", "x-overflow", "reject-publish",
                "x-dead-letter-exchange", "dlx");
        assertThat(QuorumLimits.of(QueueArguments.parse(full, WHAT)).deadLetterAtLeastOnce()).isTrue();
        Map<String, Object> dropHead = new HashMap<>(full);
        dropHead.remove("x-overflow");
        assertThat(QuorumLimits.of(QueueArguments.parse(dropHead, WHAT)).deadLetterAtLeastOnce()).isFalse();
        Map<String, Object> noDlx = new HashMap<>(full);
        noDlx.remove("x-dead-letter-exchange");
        assertThat(QuorumLimits.of(QueueArguments.parse(noDlx, WHAT)).deadLetterAtLeastOnce()).isFalse();
    }

    /** The policy key applies when the queue was declared without the argument; a declared argument wins. */
    @Test
    void thePolicyKeyAppliesUnlessTheArgumentWasDeclared() {
        PolicyDefinition policy = PolicyDefinition.parse(Map.of("dead-letter-strategy", "at-least-once"));
        Map<String, Object> none = args();
        EffectiveArguments byPolicy = new EffectiveArguments(QueueArguments.parse(none, WHAT), none);
        byPolicy.apply(policy);
        assertThat(byPolicy.now().deadLetterStrategy()).isEqualTo(DeadLetterStrategy.AT_LEAST_ONCE);

        Map<String, Object> declared = args("x-dead-letter-strategy", "at-most-once");
        EffectiveArguments byArgument = new EffectiveArguments(QueueArguments.parse(declared, WHAT), declared);
        byArgument.apply(policy);
        assertThat(byArgument.now().deadLetterStrategy()).isEqualTo(DeadLetterStrategy.AT_MOST_ONCE);
    }
}
