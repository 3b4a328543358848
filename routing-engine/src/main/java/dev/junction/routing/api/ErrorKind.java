package dev.junction.routing.api;

/**
 * Why the engine refused an operation, in protocol-neutral terms. Adapters map each kind to their own codes
 * (AMQP reply codes 403/404/405/406/530/540/541, MQTT reason codes).
 */
public enum ErrorKind {
    /** The user may not do this (AMQP 403 ACCESS_REFUSED). */
    ACCESS_REFUSED,
    /** The named entity does not exist (AMQP 404 NOT_FOUND). */
    NOT_FOUND,
    /** Another connection owns the entity (AMQP 405 RESOURCE_LOCKED). */
    RESOURCE_LOCKED,
    /** Redeclared with other settings, or an argument is invalid (AMQP 406 PRECONDITION_FAILED). */
    PRECONDITION_FAILED,
    /** The operation is not allowed on this entity, e.g. a default-exchange binding (AMQP 530 NOT_ALLOWED). */
    NOT_ALLOWED,
    /** The request makes no sense, e.g. an unknown exchange type (AMQP 503 COMMAND_INVALID). */
    COMMAND_INVALID,
    /** Known but not supported on this entity, e.g. basic.get on a stream (AMQP 540 NOT_IMPLEMENTED). */
    NOT_IMPLEMENTED,
    /** A broker-side failure (AMQP 541 INTERNAL_ERROR). */
    INTERNAL_ERROR
}
