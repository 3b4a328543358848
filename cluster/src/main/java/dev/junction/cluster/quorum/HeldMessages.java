package dev.junction.cluster.quorum;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A quorum queue's ready messages in id order (a returned message goes back to its place) and the bytes of their
 * bodies, as x-max-length-bytes counts them. Used on the group's apply thread only.
 */
final class HeldMessages {
    private final TreeMap<Long, HeldMessage> messages = new TreeMap<>();
    private long bytes;

    void put(HeldMessage m) {
        HeldMessage before = messages.put(m.id(), m);
        bytes += m.size() - (before == null ? 0 : before.size());
    }

    /** The first message, taken out; null when none is. */
    HeldMessage poll() {
        Map.Entry<Long, HeldMessage> first = messages.pollFirstEntry();
        bytes -= first == null ? 0 : first.getValue().size();
        return first == null ? null : first.getValue();
    }

    /** The first message, left in; null when none is. */
    HeldMessage first() {
        Map.Entry<Long, HeldMessage> first = messages.firstEntry();
        return first == null ? null : first.getValue();
    }

    /** Drops every message; how many there were. */
    int clear() {
        int n = messages.size();
        messages.clear();
        bytes = 0;
        return n;
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    int size() {
        return messages.size();
    }

    long bytes() {
        return bytes;
    }

    /** In id order. */
    Collection<HeldMessage> all() {
        return messages.values();
    }
}
