package dev.junction.routing.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A bounded cache of decisions per concrete topic for one connection, so checking every delivery costs a hash
 * lookup for the topics a client sees again and again. Bounded in entries (least recently used go first) and in
 * the length of the topics it keeps (longer ones are decided every time), so its memory stays small whatever
 * topics a client uses. Not thread-safe: owned by the connection's event loop.
 */
public final class TopicDecisions {
    private final Predicate<String> decide;
    private final int maxTopicChars;
    private final Map<String, Boolean> cache;

    public TopicDecisions(Predicate<String> decide, int capacity, int maxTopicChars) {
        this.decide = decide;
        this.maxTopicChars = maxTopicChars;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public boolean test(String topic) {
        if (topic.length() > maxTopicChars) {
            return decide.test(topic);
        }
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
