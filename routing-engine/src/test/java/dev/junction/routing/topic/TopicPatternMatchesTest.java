package dev.junction.routing.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link TopicPattern#matches} asks about one pattern what a trie holding it would answer: checked against
 * {@link ReferenceMatcher} and against a one-pattern {@link TopicTrie} on random cases ({@link RandomCases}).
 */
class TopicPatternMatchesTest {

    private static boolean byTrie(TopicPattern p, List<String> topic) {
        TopicTrie<Boolean> trie = new TopicTrie<>();
        trie.add(p, Boolean.TRUE);
        boolean[] hit = {false};
        trie.match(topic, (pattern, v) -> hit[0] = true);
        return hit[0];
    }

    @Test
    void anyPatternAnswersAsTheReferenceAndTheTrie() {
        AtomicInteger matched = new AtomicInteger();
        RandomCases.check("anyPatternAnswersAsTheReferenceAndTheTrie", gen -> {
            TopicPattern p = gen.log("pattern", gen.bool() ? TopicTriePropertyTest.anyPattern(gen)
                    : TopicTriePropertyTest.manyHeavyPattern(gen));
            List<String> topic = gen.log("topic", gen.bool() ? TopicTriePropertyTest.anyTopic(gen)
                    : TopicTriePropertyTest.aRun(gen));
            boolean expected = ReferenceMatcher.matches(p, topic);
            assertThat(p.matches(topic)).isEqualTo(expected).isEqualTo(byTrie(p, topic));
            if (expected) {
                matched.incrementAndGet();
            }
        });
        assertThat(matched.get()).as("cases that match").isGreaterThan(100);
    }

    @Test
    void mqttFiltersKeepTheDollarRule_MQTT_4_7_2_1() {
        assertThat(TopicPattern.mqtt("#").matches(TopicWords.mqtt("$SYS/x"))).isFalse();
        assertThat(TopicPattern.mqtt("+/x").matches(TopicWords.mqtt("$SYS/x"))).isFalse();
        assertThat(TopicPattern.mqtt("$SYS/#").matches(TopicWords.mqtt("$SYS/x"))).isTrue();
        assertThat(TopicPattern.amqp("#").matches(TopicWords.amqp("$SYS.x"))).isTrue();
        assertThat(TopicPattern.amqp("a.#.b.#").matches(TopicWords.amqp("a.b"))).isTrue();
        assertThat(TopicPattern.amqp("").matches(TopicWords.amqp(""))).isTrue();
        assertThat(TopicPattern.amqp("*").matches(TopicWords.amqp(""))).isFalse();
    }
}
