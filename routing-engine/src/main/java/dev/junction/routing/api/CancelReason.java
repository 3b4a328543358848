package dev.junction.routing.api;

/**
 * Why a queue cancelled a consumer on its own ({@link DeliverySink#cancelled}), so that a protocol that tells its
 * client why (AMQP 1.0's link error condition) tells the truth. AMQP 0-9-1 sends basic.cancel for either.
 */
public enum CancelReason {
    /** The queue was deleted. */
    QUEUE_DELETED("was deleted"),
    /**
     * A quorum queue's log refused to attach the consumer again after its node was judged silent: an exclusive
     * consumer came meanwhile, or this one is exclusive and another came (AMQP 0-9-1 basic.consume {@code exclusive}).
     */
    IN_EXCLUSIVE_USE("in exclusive use");

    private final String text;

    CancelReason(String text) {
        this.text = text;
    }

    /** What follows the queue's name in a message to the client: "queue 'q' in vhost '/' was deleted". */
    public String text() {
        return text;
    }
}
