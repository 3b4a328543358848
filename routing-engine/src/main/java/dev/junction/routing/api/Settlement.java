package dev.junction.routing.api;

/** How a consumer settles a delivery. */
public enum Settlement {
    /** Done with it: the queue forgets the message. */
    ACK,
    /** Put it back at its original position, marked redelivered (nack/reject with requeue). */
    REQUEUE,
    /** Refuse it without requeue: it is dead-lettered with reason "rejected" when the queue has a DLX. */
    DISCARD
}
