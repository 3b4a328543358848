package dev.junction.amqp10;

import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ErrorKind;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;

/**
 * The AMQP 1.0 error conditions this adapter sends [AMQP 1.0 part 2 section 2.8.15 amqp-error, 2.8.16
 * connection-error, 2.8.18 link-error; part 4 section 4.5.8 transaction-error], and how the engine's {@link ErrorKind}s map onto them.
 */
enum Condition {
    INTERNAL_ERROR("amqp:internal-error"),
    NOT_FOUND("amqp:not-found"),
    UNAUTHORIZED_ACCESS("amqp:unauthorized-access"),
    DECODE_ERROR("amqp:decode-error"),
    RESOURCE_LIMIT_EXCEEDED("amqp:resource-limit-exceeded"),
    NOT_ALLOWED("amqp:not-allowed"),
    INVALID_FIELD("amqp:invalid-field"),
    NOT_IMPLEMENTED("amqp:not-implemented"),
    RESOURCE_LOCKED("amqp:resource-locked"),
    RESOURCE_DELETED("amqp:resource-deleted"),
    PRECONDITION_FAILED("amqp:precondition-failed"),
    CONNECTION_FORCED("amqp:connection:forced"),
    FRAMING_ERROR("amqp:connection:framing-error"),
    MESSAGE_SIZE_EXCEEDED("amqp:link:message-size-exceeded"),
    TRANSACTION_UNKNOWN_ID("amqp:transaction:unknown-id"),
    TRANSACTION_ROLLBACK("amqp:transaction:rollback");

    private final Symbol symbol;

    Condition(String name) {
        this.symbol = Symbol.valueOf(name);
    }

    Symbol symbol() {
        return symbol;
    }

    ErrorCondition with(String description) {
        return new ErrorCondition(symbol, description);
    }

    /** A link whose queue cancelled it: deleted, or in exclusive use (another consumer holds it exclusively). */
    static Condition of(CancelReason why) {
        return why == CancelReason.IN_EXCLUSIVE_USE ? RESOURCE_LOCKED : RESOURCE_DELETED;
    }

    /** The condition for an engine refusal, one to one as the 0-9-1 adapter maps them onto reply codes. */
    static Condition of(ErrorKind kind) {
        return switch (kind) {
            case ACCESS_REFUSED -> UNAUTHORIZED_ACCESS;
            case NOT_FOUND -> NOT_FOUND;
            case RESOURCE_LOCKED -> RESOURCE_LOCKED;
            case PRECONDITION_FAILED -> PRECONDITION_FAILED;
            case NOT_ALLOWED, COMMAND_INVALID, NOT_IMPLEMENTED -> NOT_ALLOWED;
            case INTERNAL_ERROR -> INTERNAL_ERROR;
        };
    }
}
