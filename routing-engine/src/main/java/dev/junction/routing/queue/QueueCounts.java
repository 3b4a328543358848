package dev.junction.routing.queue;

/**
 * A queue's counts as kept outside its own object: ready messages, messages delivered and not settled, consumers.
 * For a quorum queue in a cluster they are its replicated log's, as this node's replica has applied it.
 */
public record QueueCounts(int ready, int unacked, int consumers) {
}
