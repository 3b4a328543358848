package dev.junction.routing.policy;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Overflow;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ's policies in the engine: which policy applies (pattern, apply-to, priority), how its keys combine with
 * a queue's own arguments, and that a change reaches queues that already hold messages.
 */
class PolicyTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private boolean put(String name, String pattern, PolicyTarget to, int priority, Object... definition) {
        return await(fx.vhost.policies().put(new Policy(name, pattern, to, priority, map(definition))));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String policyOf(Queue q) {
        Policy p = q.arguments().policy();
        return p == null ? null : p.name();
    }

    /** Fanout "dlx" into "dlq", consumed by the returned sink. */
    private RecordingSink deadLetterQueue() {
        fx.declareExchange("dlx", ExchangeType.FANOUT);
        Queue dlq = fx.declare("dlq");
        fx.bindQueue("dlx", "dlq", "");
        return fx.consume(dlq, "dlq-consumer");
    }

    @Test
    void aLengthLimitPolicyDropsFromTheHeadOfAnExistingQueueAtOnceAndDeadLettersAsMaxlen() {
        RecordingSink dlq = deadLetterQueue();
        Queue jobs = fx.declare("jobs");
        for (int i = 1; i <= 5; i++) {
            fx.publish("", "jobs", "m" + i);
        }

        assertThat(put("limit", "^jobs$", PolicyTarget.QUEUES, 0, "max-length", 2, "dead-letter-exchange", "dlx"))
                .as("created").isTrue();

        // The put completes once the queue has applied the policy in its mailbox.
        assertThat(jobs.messageCount()).isEqualTo(2);
        assertThat(dlq.nextBodies(3)).containsExactly("m1", "m2", "m3");
        assertThat(body(await(jobs.get(true)))).isEqualTo("m4");
        assertThat(body(await(jobs.get(true)))).isEqualTo("m5");
        assertThat(policyOf(jobs)).isEqualTo("limit");
    }

    @Test
    void aMessageTtlPolicyExpiresWhatAnExistingQueueTakesFromThenOnAndItsRemovalStopsIt() {
        RecordingSink dlq = deadLetterQueue();
        Queue work = fx.declare("work");
        fx.publish("", "work", "before");

        put("ttl", "work", PolicyTarget.ALL, 0, "message-ttl", 30, "dead-letter-exchange", "dlx");
        fx.publish("", "work", "after");

        // RabbitMQ fixes a message's expiry when it arrives: "before" has none, so it holds the head; it is taken
        // first, and "after" (behind it) expires as soon as it is the head.
        assertThat(body(await(work.get(true)))).isEqualTo("before");
        Delivery expired = dlq.next();
        assertThat(body(expired)).isEqualTo("after");
        assertThat(expired.message().properties().header("x-first-death-reason")).isEqualTo("expired");

        await(fx.vhost.policies().delete("ttl"));
        fx.publish("", "work", "kept");
        dlq.none(100);
        assertThat(body(await(work.get(true)))).isEqualTo("kept");
        assertThat(policyOf(work)).isNull();
    }

    @Test
    void forLimitsTheLowerValueWinsAndForOverflowAndDeadLetteringTheArgumentWins() {
        Queue q = fx.declare("orders", map("x-max-length", 3, "x-message-ttl", 60_000, "x-overflow", "reject-publish",
                "x-dead-letter-exchange", "from-argument"));

        put("p", "^orders", PolicyTarget.QUEUES, 0, "max-length", 10, "message-ttl", 1000, "overflow", "drop-head",
                "dead-letter-exchange", "from-policy", "dead-letter-routing-key", "rk", "max-length-bytes", 500,
                "expires", 600_000);

        QueueArguments now = q.arguments().now();
        assertThat(now.maxLength()).as("argument 3 is lower than policy 10").isEqualTo(3L);
        assertThat(now.messageTtl()).as("policy 1000 is lower than argument 60000").isEqualTo(1000L);
        assertThat(now.overflow()).as("argument wins").isEqualTo(Overflow.REJECT_PUBLISH);
        assertThat(now.deadLetterExchange()).as("argument wins").isEqualTo("from-argument");
        assertThat(now.deadLetterRoutingKey()).as("no argument: the policy's").isEqualTo("rk");
        assertThat(now.maxLengthBytes()).isEqualTo(500L);
        assertThat(now.expires()).isEqualTo(600_000L);
        assertThat(q.arguments().declared().maxLength()).as("the declaration is unchanged").isEqualTo(3L);

        put("p", "^orders", PolicyTarget.QUEUES, 0, "max-length", 1);
        assertThat(q.arguments().now().maxLength()).as("policy 1 is lower than argument 3").isEqualTo(1L);
        assertThat(q.arguments().now().messageTtl()).as("back to the argument").isEqualTo(60_000L);

        // reject-publish is the queue's own: a full queue refuses rather than dropping its head.
        fx.publish("", "orders", "first");
        fx.publish("", "orders", "refused");
        eventually("first counted", () -> q.messageCount() == 1);
        assertThat(body(await(q.get(true)))).isEqualTo("first");
        assertThat(await(q.get(true))).isNull();
    }

    @Test
    void theHighestPriorityAppliesAndTheNextTakesOverWhenItIsDeleted() {
        Queue q = fx.declare("jobs.high");
        put("broad", "^jobs", PolicyTarget.QUEUES, 1, "max-length", 100);
        put("narrow", "^jobs\\.high$", PolicyTarget.QUEUES, 5, "max-length", 7);
        put("negative", ".*", PolicyTarget.ALL, -1, "max-length", 1);

        assertThat(policyOf(q)).isEqualTo("narrow");
        assertThat(q.arguments().now().maxLength()).as("one policy applies; they do not merge").isEqualTo(7L);

        await(fx.vhost.policies().delete("narrow"));
        assertThat(policyOf(q)).isEqualTo("broad");
        assertThat(q.arguments().now().maxLength()).isEqualTo(100L);
        assertThat(await(fx.vhost.policies().delete("narrow"))).as("already gone").isFalse();
    }

    @Test
    void equalPrioritiesPickTheFirstPolicyByName() {
        Queue q = fx.declare("q");
        put("b", "q", PolicyTarget.QUEUES, 0, "max-length", 2);
        put("a", "q", PolicyTarget.QUEUES, 0, "max-length", 1);
        assertThat(policyOf(q)).isEqualTo("a");
    }

    @Test
    void applyToKeepsQueuePoliciesOffExchangesAndExchangePoliciesOffQueues() {
        Queue q = fx.declare("same");
        Exchange x = fx.declareExchange("same", ExchangeType.DIRECT);
        put("queues-only", "same", PolicyTarget.QUEUES, 0, "max-length", 1);
        put("exchanges-only", "same", PolicyTarget.EXCHANGES, 0, "alternate-exchange", "ae");

        assertThat(policyOf(q)).isEqualTo("queues-only");
        assertThat(x.policy().name()).isEqualTo("exchanges-only");

        put("both", "same", PolicyTarget.ALL, 9, "max-length", 3);
        assertThat(policyOf(q)).isEqualTo("both");
        assertThat(x.policy().name()).isEqualTo("both");
        assertThat(x.alternateExchange()).as("'both' has no alternate-exchange").isNull();
    }

    @Test
    void anAlternateExchangePolicyRoutesWhatAnExchangeCannotUnlessItsArgumentNamesAnother() {
        fx.declareExchange("ae", ExchangeType.FANOUT);
        fx.declare("unrouted");
        fx.bindQueue("ae", "unrouted", "");
        fx.declareExchange("orders", ExchangeType.DIRECT);
        fx.vhost.declareExchange(new dev.junction.routing.api.ExchangeSpec("own", "direct", false, false, false,
                Map.of("alternate-exchange", "elsewhere")), false);

        put("ae", "^(orders|own)$", PolicyTarget.EXCHANGES, 0, "alternate-exchange", "ae");

        assertThat(fx.vhost.route(new Message("orders", "nobody", null, null))).containsExactly("unrouted");
        assertThat(fx.vhost.exchange("own").orElseThrow().alternateExchange()).isEqualTo("elsewhere");
        assertThat(fx.vhost.route(new Message("own", "nobody", null, null))).isEmpty();
    }

    @Test
    void aQueueDeclaredLaterGetsTheMatchingPolicyBeforeItsFirstMessage() {
        put("limit", "^later", PolicyTarget.QUEUES, 0, "max-length", 1);
        Queue q = fx.declare("later");
        fx.publish("", "later", "a");
        fx.publish("", "later", "b");

        eventually("one left", () -> q.messageCount() == 1);
        assertThat(body(await(q.get(true)))).isEqualTo("b");
        assertThat(policyOf(fx.declare("other"))).isNull();
    }

    @Test
    void anExpiresPolicyDeletesAnUnusedQueue() {
        fx.declare("idle");
        put("expiry", "^idle$", PolicyTarget.QUEUES, 0, "expires", 50);
        eventually("the idle queue is deleted", () -> fx.vhost.queue("idle").isEmpty());
    }

    @Test
    void thePatternIsSearchedForAnywhereInTheName() {
        Queue q = fx.declare("my.jobs.queue");
        put("p", "jobs", PolicyTarget.QUEUES, 0, "max-length", 1);
        assertThat(policyOf(q)).isEqualTo("p");
    }

    @Test
    void invalidPoliciesAreRefusedWithRabbitMQsValidationText() {
        assertRefused(map("ha-mode", "all"), "[ha-mode] are not recognised policy settings");
        assertRefused(map("message-ttl", -1), "-1 is not a valid message TTL");
        assertRefused(map("expires", 0), "0 is not a valid queue expiry");
        assertRefused(map("max-length", "ten"), "ten is not a valid maximum length");
        assertRefused(map("overflow", "drop-tail"), "drop-tail is not a valid overflow behaviour");
        assertRefused(map("dead-letter-exchange", 5), "5 is not a valid dead letter exchange name");
        assertRefused(map(), "no policy provided");
        assertThatThrownBy(() -> fx.vhost.policies().put(new Policy("bad", "(", PolicyTarget.ALL, 0,
                map("max-length", 1)))).isInstanceOf(BrokerException.class)
                .hasMessageContaining("'(' is not a valid regular expression");
        assertThat(fx.vhost.policies().list()).isEmpty();
    }

    private void assertRefused(Map<String, Object> definition, String text) {
        assertThatThrownBy(() -> fx.vhost.policies().put(new Policy("bad", ".*", PolicyTarget.ALL, 0, definition)))
                .isInstanceOf(BrokerException.class)
                .hasMessageStartingWith("Validation failed")
                .hasMessageContaining(text)
                .satisfies(e -> assertThat(((BrokerException) e).kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED));
    }

    @Test
    void listIsByNameAndAPutOfAnExistingNameReplacesIt() {
        assertThat(put("b", "x", PolicyTarget.QUEUES, 0, "max-length", 1)).isTrue();
        assertThat(put("a", "x", PolicyTarget.QUEUES, 0, "max-length", 1)).isTrue();
        assertThat(put("b", "y", PolicyTarget.EXCHANGES, 3, "alternate-exchange", "z")).as("replaced").isFalse();
        List<Policy> all = fx.vhost.policies().list();
        assertThat(all).extracting(Policy::name).containsExactly("a", "b");
        assertThat(all.get(1)).isEqualTo(new Policy("b", "y", PolicyTarget.EXCHANGES, 3,
                map("alternate-exchange", "z")));
    }
}
