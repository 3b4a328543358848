package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DeduplicationCache}: the window, the TTL, the size bound and what a durable exchange stores. */
class DeduplicationCacheTest {
    /** The store as a map, in the order keys were first put (as the definitions table keeps them). */
    private static final class MapState implements ExchangeState {
        final Map<String, byte[]> stored = new LinkedHashMap<>();

        @Override
        public void put(String key, byte[] data) {
            stored.put(key, data);
        }

        @Override
        public void delete(String key) {
            stored.remove(key);
        }
    }

    @Test
    void aKeyIsADuplicateUntilItsTtlAndTheOldestGivesWayWhenFull() {
        DeduplicationCache cache = new DeduplicationCache(2);
        assertThat(cache.firstSeen("a", 100, 1000)).isTrue();
        assertThat(cache.firstSeen("a", 100, 1099)).isFalse();
        assertThat(cache.firstSeen("a", 100, 1100)).isTrue(); // expired: new again
        assertThat(cache.firstSeen("b", 0, 1200)).isTrue();
        assertThat(cache.firstSeen("c", 0, 1200)).isTrue(); // a has expired by now: it goes, b stays
        assertThat(cache.firstSeen("b", 0, 1300)).isFalse();
        assertThat(cache.firstSeen("d", 0, 1300)).isTrue(); // none expired: the oldest (b) goes
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.firstSeen("b", 0, 1300)).isTrue();
    }

    @Test
    void aDurableCacheStoresItsKeysAndRestoresThemInOrder() {
        MapState state = new MapState();
        DeduplicationCache cache = new DeduplicationCache(2);
        cache.keepIn(state);
        cache.firstSeen("a", 0, 1000);
        cache.firstSeen("b", 50, 1000);
        cache.firstSeen("c", 0, 1000); // evicts a
        assertThat(state.stored).containsOnlyKeys("b", "c");

        DeduplicationCache restarted = new DeduplicationCache(2);
        restarted.keepIn(state);
        new LinkedHashMap<>(state.stored).forEach((k, v) -> restarted.restore(k, v, 2000)); // b expired meanwhile
        assertThat(restarted.firstSeen("c", 0, 2000)).isFalse();
        assertThat(restarted.firstSeen("b", 0, 2000)).isTrue();
        assertThat(state.stored).containsOnlyKeys("c", "b");
    }
}
