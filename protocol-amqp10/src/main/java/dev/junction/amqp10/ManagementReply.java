package dev.junction.amqp10;

import dev.junction.routing.api.BrokerException;

/**
 * One answer of the management node: an HTTP status code, sent as the reply's {@code subject}, and a body (a map, a
 * list, a text explaining an error, or nothing), sent as an {@code amqp-value} section, as RabbitMQ 4's "HTTP over
 * AMQP" answers.
 */
record ManagementReply(Status status, Object body) {

    /** The status codes the node answers with, as RabbitMQ 4's clients read them. */
    enum Status {
        OK(200), CREATED(201), NO_CONTENT(204), BAD_REQUEST(400), FORBIDDEN(403), NOT_FOUND(404),
        METHOD_NOT_ALLOWED(405), CONFLICT(409), INTERNAL_ERROR(500);

        final int code;

        Status(int code) {
            this.code = code;
        }
    }

    static ManagementReply of(Status status, Object body) {
        return new ManagementReply(status, body);
    }

    static ManagementReply noContent() {
        return new ManagementReply(Status.NO_CONTENT, null);
    }

    /**
     * A refused request: not found is 404; a declaration that differs from the existing entity, or another
     * connection's exclusive queue, is 409 (RabbitMQ's clients retry a server-named declaration on 409); a
     * permission 403; any other refusal 400. The body says why, in the engine's words.
     */
    static ManagementReply refused(RuntimeException e) {
        Condition condition = e instanceof Refusal r ? r.condition()
                : e instanceof BrokerException b ? Condition.of(b.kind()) : Condition.INTERNAL_ERROR;
        Status status = switch (condition) {
            case NOT_FOUND -> Status.NOT_FOUND;
            case PRECONDITION_FAILED, RESOURCE_LOCKED -> Status.CONFLICT;
            case UNAUTHORIZED_ACCESS -> Status.FORBIDDEN;
            case INTERNAL_ERROR -> Status.INTERNAL_ERROR;
            default -> Status.BAD_REQUEST;
        };
        return new ManagementReply(status, status == Status.INTERNAL_ERROR ? "internal error" : e.getMessage());
    }
}
