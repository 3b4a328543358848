package dev.junction.routing.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A bounded cache of read decisions per concrete topic for one session, so checking every delivery costs a hash
 * lookup for the topics a client sees again and again. Least recently used entries go first. Not thread-safe:
 * owned by the connection's event loop.
 */
public final class TopicDecisions {
    private final Predicate<String> decide;
    private final Map<String, Boolean> cache;

    public TopicDecisions(Predicate<String> decide, int capacity) {
        this.decide = decide;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public boolean test(String topic) {
        Boolean known = cache.get(topic);
        if (known == null) {
            known = decide.test(topic);
            cache.put(topic, known);
        }
        return known;
    }

    int size() {
        return cache.size();
    }
}
