package dev.junction.routing.topic;

import java.util.ArrayList;
import java.util.List;

/** Collects what {@link TopicTrie#match} reports, in the order reported, duplicates kept. */
record Hits<T>(TopicPattern pattern, T value) {

    static <T> List<Hits<T>> of(TopicTrie<T> trie, List<String> topicWords) {
        List<Hits<T>> hits = new ArrayList<>();
        trie.match(topicWords, (p, v) -> hits.add(new Hits<>(p, v)));
        return hits;
    }

    static <T> List<Hits<T>> amqp(TopicTrie<T> trie, String routingKey) {
        return of(trie, TopicWords.amqp(routingKey));
    }

    static <T> List<Hits<T>> mqtt(TopicTrie<T> trie, String topicName) {
        return of(trie, TopicWords.mqtt(topicName));
    }
}
