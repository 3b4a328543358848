package dev.junction.routing.api;

/**
 * What a protocol answers about a queue: its name (server-generated when declared with an empty one), its
 * declaration, and the counts of {@code queue.declare-ok} (ready messages and consumers). A snapshot: the counts
 * move on as soon as it is taken.
 */
public record QueueInfo(String name, QueueSpec spec, int messageCount, int consumerCount) {
}
