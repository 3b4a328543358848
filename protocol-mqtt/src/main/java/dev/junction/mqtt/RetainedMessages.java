package dev.junction.mqtt;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageBytes;
import dev.junction.routing.api.RetainedRecords;
import dev.junction.routing.api.TopicIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retained messages of the MQTT vhost. Only an index lives here, topic → stored size; the messages
 * themselves are in the store and are read back when a subscription matches them, so many retained messages do
 * not each hold a decoded copy on the heap (217k of 1 KB once kept the memory alarm raised for good). A retained
 * message with an empty payload clears the topic [MQTT-3.3.1-6, MQTT-3.3.1-7].
 *
 * <p>Bounded per vhost by {@code limits.max_retained_messages} (topics) and {@code limits.max_retained_bytes}
 * (bytes of the stored messages: payload, topic and properties): past either, a retained publish to a topic that holds none is refused
 * ({@link Outcome#REFUSED}); replacing or clearing a topic that holds one always works, so clearing never needs
 * room. Limit checks and index changes are serialised on this object; the store call only queues a write.
 *
 * <p>The broker's own {@code $SYS} values are retained too ({@link #keep}), but in memory only and outside the
 * limits: they are replaced every interval and mean nothing after a restart, so they cost no store writes (Mosquitto
 * does not persist them either). No client can publish to a '$' topic, so the two never share a topic.
 */
final class RetainedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedMessages.class);

    /** What {@link #apply} did. */
    enum Outcome {
        STORED, CLEARED, REFUSED
    }

    private final String vhost;
    private final RetainedRecords store;
    private final long maxMessages;
    private final long maxBytes;
    private final Map<String, Integer> sizes = new ConcurrentHashMap<>();
    /** The broker's own retained messages ({@code $SYS}), kept in memory only. */
    private final Map<String, Message> kept = new ConcurrentHashMap<>();
    private long bytes;
    /** Set at the first refusal, cleared when room is made: one log line per time the limit is reached. */
    private boolean refusing;

    RetainedMessages(String vhost, RetainedRecords store, long maxMessages, long maxBytes) {
        this.vhost = vhost;
        this.store = store;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        store.index().forEach((topic, size) -> {
            sizes.put(topic, size);
            bytes += size;
        });
        store.watch(this::changedElsewhere);
    }

    /**
     * A retained message stored ({@code size} bytes) or cleared ({@code size} < 0) by another writer: on a cluster
     * node, another node's retained publish, or this node's own once the cluster's log has ordered it
     * (docs/cluster.md). The index follows the store; the limits are the publishing node's to apply.
     */
    synchronized void changedElsewhere(String topic, int size) {
        Integer old = size < 0 ? sizes.remove(topic) : sizes.put(topic, size);
        bytes += Math.max(size, 0) - (old == null ? 0 : old);
        if (size < 0 && old != null) {
            refusing = false;
        }
    }

    /** Stores or clears the retained message of {@code topic}; refuses a new topic past the limits. */
    synchronized Outcome apply(String topic, Message m) {
        Integer old = sizes.get(topic);
        if (m.bodySize() == 0) {
            if (old != null) {
                sizes.remove(topic);
                bytes -= old;
                refusing = false;
            }
            store.delete(topic);
            return Outcome.CLEARED;
        }
        // Encoded once, here: its length is what the store keeps (the index reports the same after a restart).
        byte[] data = MessageBytes.encode(m);
        int size = data.length;
        if (old == null && (sizes.size() >= maxMessages || bytes + size > maxBytes)) {
            if (!refusing) {
                refusing = true;
                LOG.warn("vhost '{}' holds {} retained messages of {} bytes (limits {} and {} bytes): new retained "
                        + "topics are refused until some are cleared", vhost, sizes.size(), bytes, maxMessages,
                        maxBytes);
            }
            return Outcome.REFUSED;
        }
        sizes.put(topic, size);
        bytes += size - (old == null ? 0 : old);
        store.put(topic, data);
        return Outcome.STORED;
    }

    /**
     * Whether a retained publish of {@code size} payload bytes to {@code topic} would be stored now. The limit
     * counts the stored message (payload and properties), so {@link #apply} may still refuse one that passed.
     */
    synchronized boolean accepts(String topic, int size) {
        return size == 0 || sizes.containsKey(topic) || sizes.size() < maxMessages && bytes + size <= maxBytes;
    }

    /**
     * The topics holding a retained message that match {@code filter} (wildcards and the '$' rule included). Only
     * names: the messages are read one at a time with {@link #read}, as the client takes them.
     */
    List<String> topicsMatching(String filter) {
        TopicIndex<Boolean> one = new TopicIndex<>();
        one.add(filter, Boolean.TRUE);
        List<String> topics = new ArrayList<>();
        for (String topic : sizes.keySet()) {
            one.match(TopicMapping.levels(topic), v -> topics.add(topic));
        }
        for (String topic : kept.keySet()) {
            one.match(TopicMapping.levels(topic), v -> topics.add(topic));
        }
        return new ArrayList<>(new java.util.LinkedHashSet<>(topics));
    }

    /** The retained message of {@code topic} read back from the store; empty if cleared since or unreadable. */
    Optional<Message> read(String topic) {
        Message own = kept.get(topic);
        if (own != null) {
            return Optional.of(own);
        }
        try {
            return store.get(topic); // empty when cleared since the index was read
        } catch (RuntimeException e) {
            LOG.warn("skipping unreadable retained message of '{}': {}", topic, e.toString());
            return Optional.empty();
        }
    }

    int size() {
        return sizes.size();
    }

    /** Keeps {@code m} as the retained message of the broker's own {@code topic}, in memory only. */
    void keep(String topic, Message m) {
        kept.put(topic, m);
    }

    /** How many of the broker's own retained messages are kept. */
    int kept() {
        return kept.size();
    }

    synchronized long bytes() {
        return bytes;
    }
}
