package dev.junction.routing.api;

/**
 * What a protocol answers about a queue: its name (server-generated when declared with an empty one), its
 * declaration, and the counts of {@code queue.declare-ok} (ready messages and consumers). A snapshot: the counts
 * move on as soon as it is taken.
 */
public record QueueInfo(String name, QueueSpec spec, int messageCount, int consumerCount) {

    /** Whether it is a quorum queue ({@code x-queue-type: quorum}, given or the cluster's default). */
    public boolean quorum() {
        return "quorum".equals(HeaderValues.asString(spec.arguments().get("x-queue-type")));
    }
}
