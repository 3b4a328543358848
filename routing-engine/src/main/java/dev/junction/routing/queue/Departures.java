package dev.junction.routing.queue;

import dev.junction.routing.api.Message;
import dev.junction.storage.QueueKey;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * What happens to a message when it leaves one queue: the store lets go of the queue's reference, and one that
 * leaves undelivered (expired, dropped by a length limit, rejected) is counted and dead-lettered when the queue
 * has a dead-letter exchange. Used on the queue's thread.
 */
final class Departures {
    private final QueueHost host;
    private final QueueKey key;
    private final EffectiveArguments args;
    private final QueueDeduplication dedup;
    private volatile Consumer<String> dropListener = reason -> { };

    Departures(QueueHost host, QueueKey key, EffectiveArguments args, QueueDeduplication dedup) {
        this.host = host;
        this.key = key;
        this.args = args;
        this.dedup = dedup.following(args);
    }

    /** Whether the queue holds a message with {@code m}'s deduplication key ({@link QueueDeduplication}). */
    boolean duplicate(Message m) {
        return dedup.duplicate(m);
    }

    /** While stored messages are restored, none is refused as a duplicate ({@link QueueDeduplication}). */
    void restoring(boolean restoring) {
        dedup.restoring(restoring);
    }

    /** Whether the queue deduplicates, so its stored messages are read back at start to rebuild the keys. */
    boolean deduplicates() {
        return dedup.enabled();
    }

    /** {@code e} entered the ready messages. */
    void entered(QueueEntry e) {
        dedup.entered(e.message);
    }

    /** The ready messages were dropped all at once (purge, delete). */
    void purged() {
        dedup.clear();
    }

    /** {@code e} left the queue (acknowledged, delivered without acknowledgement, expired, dropped, rejected). */
    void forget(QueueEntry e) {
        dedup.left(e.message);
        forget(e.storeId);
    }

    /** The queue no longer holds the message: the store drops its reference (0: the store never had it). */
    void forget(long storeId) {
        if (storeId != 0) {
            host.store().remove(key, storeId);
        }
    }

    /** Tells {@code listener} the reason of every message the queue drops undelivered, on the queue's thread. */
    void onDropped(Consumer<String> listener) {
        dropListener = listener;
    }

    /** Counts a message that leaves undelivered: expired, or dropped or refused by a length limit. */
    void dropped(String reason) {
        host.metrics().dropped(reason);
        dropListener.accept(reason);
    }

    void expire(QueueEntry e, long now) {
        dropped(DeadLetters.EXPIRED);
        deadLetter(e.message, DeadLetters.EXPIRED, now);
        forget(e);
    }

    /** Dead-letters {@code m} with {@code reason} when the queue has a dead-letter exchange. */
    void deadLetter(Message m, String reason, long now) {
        QueueArguments a = args.now();
        if (a.deadLetterExchange() != null) {
            host.deadLetter(DeadLetters.annotate(m, key.name(), reason, Instant.ofEpochMilli(now),
                    a.deadLetterExchange(), a.deadLetterRoutingKey()), a.deadLetterExchange(), reason);
        }
    }
}
