package dev.junction.routing.exchange;

/**
 * Where a durable exchange keeps what it remembers between messages (a deduplication exchange's recent keys), by
 * key: the engine backs it with the store, so it survives a restart. Calls return at once; the writes reach the
 * disk with the store's next group commit.
 */
public interface ExchangeState {
    /** Keeps nothing: for exchanges that are not durable. */
    ExchangeState NONE = new ExchangeState() {
        @Override
        public void put(String key, byte[] data) {
        }

        @Override
        public void delete(String key) {
        }
    };

    void put(String key, byte[] data);

    void delete(String key);
}
