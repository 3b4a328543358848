package dev.junction.routing.auth;

/** How much of what a topic filter (or binding key) can match a user may read. */
public enum Coverage {
    /** No topic the filter matches is readable: refuse the subscription. */
    NONE,
    /**
     * Some are readable and some are not (or the analysis gave up): a subscription may be granted only when every
     * delivery is checked against the concrete topic, as MQTT does; AMQP, which cannot filter a queue's deliveries
     * per reader, refuses it.
     */
    PARTIAL,
    /** Every topic the filter matches is readable. */
    ALL
}
