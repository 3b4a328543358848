package dev.junction.amqp10;

/**
 * The queue a consuming link reads, and how its life is tied to the link's: a queue the attach made for itself
 * must not outlive a refused attach, and a dynamic node must not outlive its link.
 *
 * @param name the queue's name
 * @param lifetime what the link's attach and end do to it
 */
record LinkQueue(String name, Lifetime lifetime) {

    /** How a queue's life is tied to the link that reads it. */
    enum Lifetime {
        /** A queue the address names: the link neither made it nor deletes it. */
        INDEPENDENT,
        /**
         * Made by this attach (a topic subscription's queue, a durable or shared subscription's first attach): deleted
         * again if the attach fails after all; once attached, the queue's own rules apply (auto-delete with its last
         * consumer, a durable subscription kept until unsubscribed).
         */
        MADE,
        /**
         * A dynamic node: made by this attach and deleted when the link ends, the lifetime-policy delete-on-close
         * [AMQP 1.0 part 3 section 3.5.10], which is what Qpid JMS asks for a temporary queue.
         */
        LINK
    }

    static LinkQueue independent(String name) {
        return new LinkQueue(name, Lifetime.INDEPENDENT);
    }

    static LinkQueue made(String name) {
        return new LinkQueue(name, Lifetime.MADE);
    }

    static LinkQueue dynamic(String name) {
        return new LinkQueue(name, Lifetime.LINK);
    }

    /** Whether a failed attach deletes the queue again. */
    boolean madeByAttach() {
        return lifetime != Lifetime.INDEPENDENT;
    }
}
