package dev.junction.cluster.quorum;

import dev.junction.routing.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One replica of a quorum group for tests: a state machine fed entries through the log's encoding, and what its
 * effects said, in order: "consumer:body" for a delivery, "dead:origin:body:reason" for a message the queue
 * dropped, "limit:body" past x-delivery-limit, "unused:origin" for a queue unused past x-expires,
 * "pending:id:body:reason" for a message dead-lettered at least once, "settled:[ids]" when such messages were
 * confirmed.
 */
final class RecordingReplica {
    final List<String> seen = new ArrayList<>();
    final QuorumStateMachine machine;
    /** The last log index applied. */
    long index;

    RecordingReplica() {
        this(ExpiryTimer.HeadExpiries.NONE);
    }

    /** A replica that reports its queues' head expiry times to {@code heads}. */
    RecordingReplica(ExpiryTimer.HeadExpiries heads) {
        machine = new QuorumStateMachine(effects(), heads);
    }

    private QuorumEffects effects() {
        return new QuorumEffects() {
            @Override
            public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
                seen.add(consumer + ":" + s(body));
            }

            @Override
            public void deadLettered(String queue, String consumer, byte[] body, int returns) {
                seen.add("limit:" + s(body));
            }

            @Override
            public void dropped(String queue, String origin, byte[] body, Drop why) {
                seen.add("dead:" + origin + ":" + s(body) + ":" + why.reason());
            }

            @Override
            public void unused(String queue, String origin) {
                seen.add("unused:" + origin);
            }

            @Override
            public void deadLetterPending(String queue, PendingDeadLetter message) {
                seen.add("pending:" + message.id() + ":" + s(message.body()) + ":" + message.why().reason());
            }

            @Override
            public void deadLettersSettled(String queue, long[] ids) {
                seen.add("settled:" + java.util.Arrays.toString(ids));
            }
        };
    }

    /** Applies one command as the entry after the last, without a time (as written before entries had one). */
    long apply(QuorumCommand c) {
        return apply(c, 0);
    }

    /** Applies one command as the entry after the last, sent at {@code time} by its submitter's clock. */
    long apply(QuorumCommand c, long time) {
        index++;
        byte[] entry = QuorumBatch.encode(1, 0, time, new long[] {index}, List.of(c.encode()));
        return machine.applyEntry(entry, index)[0];
    }

    /** The body as text; of an engine-encoded message, its payload's. */
    static String s(byte[] b) {
        if (b.length > 0 && b[0] == 1) {
            return new String(MessageCodec.decode(b).body(), StandardCharsets.UTF_8);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
