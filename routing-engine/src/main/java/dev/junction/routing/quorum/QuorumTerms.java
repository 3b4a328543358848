package dev.junction.routing.quorum;

import dev.junction.routing.MessageCodec;
import dev.junction.routing.api.Message;
import dev.junction.routing.queue.Prefetch;
import java.util.List;

/** What a consumer's limits are in a quorum queue's log, and what the log's messages are to the engine. */
final class QuorumTerms {
    /**
     * The window of an auto-ack consumer in the log: assigned and not yet handed to its sink. RabbitMQ ignores
     * basic.qos for a no-ack consumer, so its prefetch cannot be the bound; without one, a consumer whose socket is
     * slow would take the whole queue into this node's heap.
     */
    static final long AUTO_ACK_WINDOW = 1_000;

    private QuorumTerms() {
    }

    /** The lowest count limit among the consumer's (its own prefetch, a channel-wide one); 0: none. */
    static long prefetchOf(List<Prefetch> limits) {
        long lowest = 0;
        for (Prefetch p : limits) {
            if (p.countLimit() > 0 && (lowest == 0 || p.countLimit() < lowest)) {
                lowest = p.countLimit();
            }
        }
        return lowest;
    }

    /** A message as the log holds it, with {@code returns} in x-delivery-count as RabbitMQ's quorum queues count. */
    static Message decoded(byte[] body, int returns) {
        Message m = MessageCodec.decode(body);
        if (returns > 0) {
            m = m.withProperties(m.properties().toBuilder().header("x-delivery-count", (long) returns).build());
        }
        return m;
    }
}
