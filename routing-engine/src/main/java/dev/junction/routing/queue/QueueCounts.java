package dev.junction.routing.queue;

/**
 * A queue's counts as kept outside its own object: ready messages, messages delivered and not settled, consumers,
 * and dead letters it keeps until their target confirmed them (a quorum queue's at-least-once dead-lettering). For a
 * quorum queue in a cluster they are its replicated log's, as this node's replica has applied it.
 */
public record QueueCounts(int ready, int unacked, int consumers, int deadLetters) {

    /** Counts of a queue that keeps no dead letters. */
    public QueueCounts(int ready, int unacked, int consumers) {
        this(ready, unacked, consumers, 0);
    }
}
