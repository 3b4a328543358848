package dev.junction.amqp10;

import dev.junction.routing.api.BrokerException;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * Why an endpoint is refused or ended: thrown by the handlers of {@link Dispatcher}, which is the one place that
 * turns it into a detach, an end or a close carrying the condition [AMQP 1.0 part 2 sections 2.6.5, 2.7.6, 2.7.7].
 * {@link Scope} says how far the error reaches.
 */
final class Refusal extends RuntimeException {
    /** What the error ends: the link it happened on, its session, or the whole connection. */
    enum Scope { LINK, SESSION, CONNECTION }

    private final Condition condition;
    private final Scope scope;

    Refusal(Condition condition, Scope scope, String description) {
        super(description, null, false, false);
        this.condition = condition;
        this.scope = scope;
    }

    static Refusal link(Condition condition, String description) {
        return new Refusal(condition, Scope.LINK, description);
    }

    static Refusal connection(Condition condition, String description) {
        return new Refusal(condition, Scope.CONNECTION, description);
    }

    /** An engine refusal on a link operation (attach, a declaration it makes). */
    static Refusal of(BrokerException e) {
        return link(Condition.of(e.kind()), e.getMessage());
    }

    Condition condition() {
        return condition;
    }

    Scope scope() {
        return scope;
    }

    ErrorCondition error() {
        return condition.with(getMessage());
    }
}
