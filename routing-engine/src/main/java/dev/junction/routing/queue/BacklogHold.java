package dev.junction.routing.queue;

/**
 * When a queue holds its publishers back because its consumers are being fed more slowly than it is filled: while
 * more than {@link #HIGH} messages are ready and some consumer could take one were its connection writing faster
 * (it has credit left: no {@code basic.qos} prefetch, or one not used up), until the ready messages are down to
 * {@link #LOW} or no consumer has credit left. Without it, a broker whose event loops both read publishes and write
 * deliveries spends its turns taking in messages that only make the backlog longer, while the consumers that would
 * empty it wait for those same loops (credit flow, as RabbitMQ has between its reader, channel and queue processes,
 * but measured where the backlog is).
 *
 * <p>Only consumers with credit count, and only ready messages: a consumer whose prefetch is used up waits for
 * acknowledgements, which may come over a connection this hold stopped reading (a client that publishes and consumes
 * on one connection), so such a consumer releases the hold instead of keeping it. A consumer with credit that takes
 * nothing because its client stopped reading is the {@link PublisherBrake}'s stall check's. Used on the queue's
 * thread only.
 */
final class BacklogHold {
    /** Ready messages past which publishers are held while a consumer has credit. */
    static final int HIGH = 2000;
    /** Ready messages at or below which they go on: enough for the consumers until the publishers are read again. */
    static final int LOW = HIGH / 2;

    /** How a queue answers whether some consumer has credit left. */
    interface Consumers {
        boolean anyWithCredit();
    }

    private final Consumers consumers;
    private boolean on;

    BacklogHold(Consumers consumers) {
        this.consumers = consumers;
    }

    /** After a change of the queue: whether publishers are to be held now, with {@code ready} messages. */
    boolean update(int ready) {
        if (on) {
            on = ready > LOW && consumers.anyWithCredit();
        } else if (ready > HIGH) {
            on = consumers.anyWithCredit(); // looked at only past HIGH: most changes cost one comparison
        }
        return on;
    }

    boolean on() {
        return on;
    }

    /** The consumers stopped taking (a stall): the hold ends, and starts again only from a later update. */
    void reset() {
        on = false;
    }
}
