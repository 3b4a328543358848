package dev.junction.routing.api;

/** How a consumer settles a delivery. */
public enum Settlement {
    /** Done with it: the queue forgets the message. */
    ACK,
    /** Put it back at its original position, marked redelivered (nack/reject with requeue). */
    REQUEUE,
    /**
     * Put it back as {@link #REQUEUE} does, but this delivery does not count: the consumer says it did not try to
     * process the message (AMQP 1.0 {@code released}, or {@code modified} without delivery-failed), so its delivery
     * count stays as before this delivery, and no delivery limit or retry delay applies to the return. A queue
     * that cannot take a delivery back uncounted treats it as a requeue.
     */
    RELEASE,
    /** Refuse it without requeue: it is dead-lettered with reason "rejected" when the queue has a DLX. */
    DISCARD
}
