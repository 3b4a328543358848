package dev.junction.routing.quorum;

/**
 * A quorum queue's use at one place in its log: its consumers on every node and its messages, ready or checked out
 * to a consumer or a get. What queue.delete's {@code if-unused} and {@code if-empty} are judged by.
 */
public record QuorumUsage(long consumers, long messages) {
}
