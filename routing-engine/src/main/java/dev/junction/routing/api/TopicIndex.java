package dev.junction.routing.api;

import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.TopicTrie;
import dev.junction.routing.topic.TopicWords;
import java.util.List;
import java.util.function.Consumer;

/**
 * MQTT topic filters with a value each, matched against concrete topics with the engine's own matcher, so an
 * adapter never matches differently from routing: wildcards as in [MQTT-4.7.1-1] and [MQTT-4.7.1-2], and the
 * '$' rule [MQTT-4.7.2-1]. Topics and filters are given as levels (the topic split at '/'). Not thread-safe:
 * confine an index to its owner thread.
 */
public final class TopicIndex<T> {
    private final TopicTrie<T> trie = new TopicTrie<>();

    /**
     * Checks an MQTT topic filter as SUBSCRIBE must.
     *
     * @throws IllegalArgumentException when it is not a valid filter (empty [MQTT-4.7.3-1], U+0000
     *         [MQTT-4.7.3-2], too long [MQTT-4.7.3-3], a misplaced wildcard [MQTT-4.7.1-1], [MQTT-4.7.1-2])
     */
    public static void checkMqttFilter(String filter) {
        TopicPattern.mqtt(filter);
    }

    /**
     * Checks an MQTT topic name as PUBLISH (and a will) must.
     *
     * @throws IllegalArgumentException when it is not a valid name (empty [MQTT-4.7.3-1], U+0000 [MQTT-4.7.3-2],
     *         too long [MQTT-4.7.3-3], or with a wildcard character [MQTT-4.7.1-1 (3.1.1), MQTT-4.7.0-1 (5.0)])
     */
    public static void checkMqttTopic(String topicName) {
        TopicWords.checkMqtt(topicName);
    }

    /** Whether {@code filter} matches the topic whose levels are {@code topicLevels}. */
    public static boolean mqttMatches(String filter, List<String> topicLevels) {
        TopicIndex<Boolean> one = new TopicIndex<>();
        one.add(filter, Boolean.TRUE);
        boolean[] matched = new boolean[1];
        one.match(topicLevels, v -> matched[0] = true);
        return matched[0];
    }

    /** @return false when this pair was already there */
    public boolean add(String mqttFilter, T value) {
        return trie.add(TopicPattern.mqtt(mqttFilter), value);
    }

    /** @return false when this pair was not there */
    public boolean remove(String mqttFilter, T value) {
        return trie.remove(TopicPattern.mqtt(mqttFilter), value);
    }

    /** Calls {@code sink} with the value of every filter that matches, in no particular order. */
    public void match(List<String> topicLevels, Consumer<? super T> sink) {
        trie.match(topicLevels, (pattern, value) -> sink.accept(value));
    }

    public int size() {
        return trie.size();
    }
}
