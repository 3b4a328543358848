package dev.junction.routing.queue;

import dev.junction.routing.api.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The consumers of one queue, owned by its thread. Picks who gets the next message: the highest-priority
 * consumers first, round-robin among equals, falling to lower priorities only when every higher consumer is out
 * of credit or not ready. With single active consumer, only the earliest registered consumer is eligible.
 */
final class ConsumerSet {
    private final TreeMap<Integer, ArrayDeque<Consumer>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    private final boolean singleActive;
    private int size;
    private Consumer active;

    ConsumerSet(boolean singleActive) {
        this.singleActive = singleActive;
    }

    void add(Consumer c) {
        byPriority.computeIfAbsent(c.priority(), p -> new ArrayDeque<>()).addLast(c);
        size++;
        if (singleActive && active == null) {
            active = c;
        }
    }

    boolean remove(Consumer c) {
        ArrayDeque<Consumer> group = byPriority.get(c.priority());
        if (group == null || !group.remove(c)) {
            return false;
        }
        if (group.isEmpty()) {
            byPriority.remove(c.priority());
        }
        size--;
        if (c == active) {
            active = earliest();
        }
        return true;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean anyExclusive() {
        return all().stream().anyMatch(c -> c.spec().exclusive());
    }

    List<Consumer> all() {
        List<Consumer> all = new ArrayList<>(size);
        byPriority.values().forEach(all::addAll);
        return all;
    }

    /** The consumer that takes a message of {@code size} bytes now, with credit already taken; or null. */
    Consumer pick(Message message, int messageSize) {
        if (singleActive) {
            return active != null && accepts(active, message, messageSize) ? active : null;
        }
        for (ArrayDeque<Consumer> group : byPriority.values()) {
            for (int i = 0, n = group.size(); i < n; i++) {
                Consumer c = group.pollFirst();
                group.addLast(c);
                if (accepts(c, message, messageSize)) {
                    return c;
                }
            }
        }
        return null;
    }

    /**
     * Whether one of the first {@code maxLooked} consumers that could be picked has credit left on every limit,
     * taking none and parking nowhere ({@link BacklogHold}); bounded so that a queue with thousands of consumers
     * does not look at all of them on every change (missing one only leaves publishers unheld).
     */
    boolean anyWithCredit(int maxLooked) {
        if (singleActive) {
            return active != null && creditLeft(active);
        }
        int looked = 0;
        for (ArrayDeque<Consumer> group : byPriority.values()) {
            for (Consumer c : group) {
                if (creditLeft(c)) {
                    return true;
                }
                if (++looked >= maxLooked) {
                    return false;
                }
            }
        }
        return false;
    }

    private static boolean creditLeft(Consumer c) {
        List<Prefetch> limits = c.limits();
        for (int i = 0; i < limits.size(); i++) {
            if (!limits.get(i).hasCredit()) {
                return false;
            }
        }
        return true;
    }

    private static boolean accepts(Consumer c, Message message, int messageSize) {
        if (!c.sink().ready()) {
            return false;
        }
        if (c.sink().settlesOnSend(message)) {
            return true;
        }
        return c.autoAck() ? c.hasCredit() : c.tryAcquire(messageSize);
    }

    private Consumer earliest() {
        Consumer first = null;
        for (ArrayDeque<Consumer> group : byPriority.values()) {
            for (Consumer c : group) {
                if (first == null || c.order() < first.order()) {
                    first = c;
                }
            }
        }
        return first;
    }
}
