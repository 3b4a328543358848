package dev.junction.routing.delayed;

/**
 * When a held message is due: epoch milliseconds, then a sequence number for the order within one millisecond
 * (publish order: the engine's message id for a durable exchange). {@code storeId} is the store id of a message
 * held in the store, else 0.
 */
record Due(long at, long seq, long storeId) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
        int c = Long.compare(at, o.at);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    boolean stored() {
        return storeId != 0;
    }
}
