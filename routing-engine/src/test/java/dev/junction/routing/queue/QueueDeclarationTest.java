package dev.junction.routing.queue;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The queue arguments that govern delivery order (x-max-priority, x-single-active-consumer), argument validation
 * and equivalence, names, exclusivity and auto-delete.
 */
class QueueDeclarationTest extends QueueTestBase {

    // ---- priorities -----------------------------------------------------------------------------------------

    @Test
    void maxPriorityDeliversHigherPriorityMessagesFirst() {
        Queue q = fx.declare("prio", args("x-max-priority", 5));
        fx.publish("", "prio", priority(1), "p1");
        fx.publish("", "prio", priority(3), "p3");
        fx.publish("", "prio", MessageProperties.EMPTY, "none");
        fx.publish("", "prio", priority(2), "p2");
        fx.publish("", "prio", priority(3), "p3-later");

        RecordingSink c = fx.consume(q, "c");

        assertThat(c.nextBodies(5)).containsExactly("p3", "p3-later", "p2", "p1", "none");
    }

    @Test
    void maxPriorityClampsHigherMessagePrioritiesToTheMaximum() {
        Queue q = fx.declare("prio", args("x-max-priority", 5));
        fx.publish("", "prio", priority(5), "p5");
        fx.publish("", "prio", priority(9), "p9");
        fx.publish("", "prio", priority(4), "p4");

        RecordingSink c = fx.consume(q, "c");

        // p9 counts as 5: after the earlier p5, ahead of p4.
        assertThat(c.nextBodies(3)).containsExactly("p5", "p9", "p4");
    }

    // ---- single active consumer -----------------------------------------------------------------------------

    @Test
    void singleActiveConsumerDeliversOnlyToTheFirstConsumer() {
        Queue q = fx.declare("sac", args("x-single-active-consumer", true));
        RecordingSink first = fx.consume(q, "first");
        RecordingSink second = fx.consume(q, "second");

        for (int i = 1; i <= 4; i++) {
            fx.publish("", "sac", "m" + i);
        }

        assertThat(first.nextBodies(4)).containsExactly("m1", "m2", "m3", "m4");
        second.none();
    }

    @Test
    void singleActiveConsumerFailsOverToTheNextConsumerWhenTheActiveOneCancels() {
        Queue q = fx.declare("sac", args("x-single-active-consumer", true));
        RecordingSink first = fx.consume(q, "first");
        RecordingSink second = fx.consume(q, "second");
        RecordingSink third = fx.consume(q, "third");
        fx.publish("", "sac", "m1");
        EngineFixture.ack(first.next());

        await(first.consumer.cancel());
        fx.publish("", "sac", "m2");

        assertThat(body(second.next())).isEqualTo("m2");
        third.none();
    }

    @Test
    void singleActiveConsumerHandsWaitingMessagesToTheNewActiveConsumerWhenTheActiveOneCancels() {
        Queue q = fx.declare("sac", args("x-single-active-consumer", true));
        RecordingSink first = fx.consume(q, "first", new Prefetch(1, 0));
        RecordingSink second = fx.consume(q, "second");
        fx.publish("", "sac", "m1");
        fx.publish("", "sac", "m2");
        assertThat(body(first.next())).isEqualTo("m1");
        second.none(); // m2 waits for the active consumer's credit

        await(first.consumer.cancel());

        assertThat(body(second.next())).isEqualTo("m2");
    }

    // ---- validation -----------------------------------------------------------------------------------------

    static Stream<Arguments> invalidArguments() {
        return Stream.of(
                Arguments.of("negative x-message-ttl", args("x-message-ttl", -1), "x-message-ttl"),
                Arguments.of("non-integer x-message-ttl", args("x-message-ttl", "1000"), "x-message-ttl"),
                Arguments.of("fractional x-message-ttl", args("x-message-ttl", 1.5), "x-message-ttl"),
                Arguments.of("x-expires of 0", args("x-expires", 0), "x-expires"),
                Arguments.of("unknown x-overflow", args("x-overflow", "drop-tail"), "x-overflow"),
                Arguments.of("dead-letter routing key without exchange",
                        args("x-dead-letter-routing-key", "k"), "x-dead-letter-routing-key"),
                Arguments.of("x-max-priority above 255", args("x-max-priority", 300), "x-max-priority"),
                Arguments.of("x-queue-type mirrored", args("x-queue-type", "mirrored"), "x-queue-type"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("invalidArguments")
    void invalidArgumentsAreRefusedWithPreconditionFailed(String rule, Map<String, Object> arguments,
                                                          String argument) {
        BrokerException e = catchThrowableOfType(BrokerException.class, () -> fx.declare("bad", arguments));

        assertThat(e).as(rule).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);
        assertThat(e.getMessage()).contains(argument);
        assertThat(fx.vhost.queue("bad")).isEmpty();
    }

    @Test
    void redeclaringWithAnInequivalentArgumentIsRefusedNamingTheArgument() {
        fx.declare("q", args("x-message-ttl", 1000L, "x-max-length", 10));

        assertThat(fx.declare("q", args("x-message-ttl", 1000, "x-max-length", 10L)))
                .as("integer widths do not matter").isSameAs(fx.vhost.queue("q").orElseThrow());
        BrokerException e = catchThrowableOfType(BrokerException.class,
                () -> fx.declare("q", args("x-message-ttl", 2000, "x-max-length", 10)));
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);
        assertThat(e.getMessage()).contains("x-message-ttl").doesNotContain("x-max-length");
    }

    @Test
    void redeclaringWithAnotherDurableFlagIsRefusedNamingIt() {
        fx.declare(QueueSpec.durable("q"));

        BrokerException e = catchThrowableOfType(BrokerException.class,
                () -> fx.declare(QueueSpec.transientQueue("q")));

        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);
        assertThat(e.getMessage()).contains("durable");
    }

    // ---- names, ownership, auto-delete ----------------------------------------------------------------------

    @Test
    void anEmptyNameGetsAServerGeneratedAmqGenName() {
        Queue a = fx.declare(QueueSpec.transientQueue(""));
        Queue b = fx.declare(QueueSpec.transientQueue(""));

        assertThat(a.name()).startsWith("amq.gen-").hasSizeGreaterThan("amq.gen-".length());
        assertThat(b.name()).startsWith("amq.gen-").isNotEqualTo(a.name());
        assertThat(fx.vhost.queue(a.name())).contains(a);
    }

    @Test
    void declaringAQueueWithTheReservedAmqPrefixIsRefusedWithAccessRefused() {
        assertThatThrownBy(() -> fx.declare("amq.foo"))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.ACCESS_REFUSED));
        assertThat(fx.vhost.queue("amq.foo")).isEmpty();
    }

    @Test
    void anExclusiveQueueIsLockedToItsOwnerAndRemovedWhenTheOwnerCloses() {
        Object owner = new Object();
        Object other = new Object();
        QueueSpec spec = new QueueSpec("mine", false, true, false, Map.of());
        Queue q = fx.vhost.declareQueue(spec, owner, false);

        assertThatThrownBy(() -> fx.vhost.declareQueue(spec, other, false))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_LOCKED));
        assertThatThrownBy(() -> fx.vhost.declareQueue(spec, other, true))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_LOCKED));
        assertThatThrownBy(() -> await(q.consume(
                new ConsumerSpec("c", false, false, 0, List.of(), other), new RecordingSink())))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.kind()).isEqualTo(ErrorKind.RESOURCE_LOCKED));
        assertThat(fx.vhost.declareQueue(spec, owner, false)).isSameAs(q);

        fx.vhost.ownerClosed(owner);

        assertThat(fx.vhost.queue("mine")).isEmpty();
        assertThat(fx.vhost.declareQueue(spec, other, false)).isNotSameAs(q);
    }

    @Test
    void anAutoDeleteQueueIsRemovedWhenItsLastConsumerCancels() {
        Queue q = fx.declare(new QueueSpec("auto", false, false, true, Map.of()));
        RecordingSink a = fx.consume(q, "a");
        RecordingSink b = fx.consume(q, "b");

        await(a.consumer.cancel());
        assertThat(fx.vhost.queue("auto")).as("one consumer is left").contains(q);

        await(b.consumer.cancel());
        eventually("the auto-delete queue is gone", () -> fx.vhost.queue("auto").isEmpty());
    }
}
