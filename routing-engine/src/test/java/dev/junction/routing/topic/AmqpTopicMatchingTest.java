package dev.junction.routing.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RabbitMQ topic-exchange semantics, one rule per test. */
class AmqpTopicMatchingTest {

    private static boolean matches(String bindingKey, String routingKey) {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp(bindingKey), "queue");
        var hits = Hits.amqp(trie, routingKey);
        assertThat(hits).hasSizeLessThanOrEqualTo(1);
        boolean matched = hits.size() == 1;
        assertThat(matched)
                .as("trie and reference disagree on binding '%s', key '%s'", bindingKey, routingKey)
                .isEqualTo(ReferenceMatcher.amqpMatches(bindingKey, routingKey));
        return matched;
    }

    @Test
    void literalBindingMatchesOnlyTheEqualKey() {
        assertThat(matches("a.b", "a.b")).isTrue();
        assertThat(matches("a.b", "a.c")).isFalse();
        assertThat(matches("a.b", "a.b.c")).isFalse();
        assertThat(matches("a.b", "a")).isFalse();
    }

    @Test
    void emptyRoutingKeyIsZeroWordsSoHashAndTheEmptyBindingMatchItButStarDoesNot() {
        assertThat(matches("#", "")).isTrue();
        assertThat(matches("", "")).isTrue();
        assertThat(matches("#.#", "")).isTrue();
        assertThat(matches("*", "")).isFalse();
        assertThat(matches("*.#", "")).isFalse();
        assertThat(matches("a.#", "")).isFalse();
    }

    @Test
    void emptyBindingKeyMatchesOnlyTheEmptyRoutingKey() {
        assertThat(matches("", "a")).isFalse();
        assertThat(matches("", ".")).isFalse(); // "." is two empty words
    }

    @Test
    void hashMatchesEveryKey() {
        for (String key : new String[] {"", "a", "a.b", "a.b.c", ".", "a..b", "$SYS.x"}) {
            assertThat(matches("#", key)).as(key).isTrue();
        }
    }

    @Test
    void starMatchesExactlyOneWord() {
        assertThat(matches("*", "a")).isTrue();
        assertThat(matches("*", "")).isFalse();
        assertThat(matches("*", "a.b")).isFalse();
        assertThat(matches("a.*", "a.b")).isTrue();
        assertThat(matches("a.*", "a")).isFalse();
        assertThat(matches("a.*", "a.b.c")).isFalse();
        assertThat(matches("*.*", "a.b")).isTrue();
    }

    @Test
    void trailingHashMatchesZeroOrMoreWords() {
        assertThat(matches("a.#", "a")).isTrue();
        assertThat(matches("a.#", "a.b")).isTrue();
        assertThat(matches("a.#", "a.b.c")).isTrue();
        assertThat(matches("a.#", "b")).isFalse();
        assertThat(matches("a.#", "b.a")).isFalse();
    }

    @Test
    void leadingHashMatchesZeroOrMoreWords() {
        assertThat(matches("#.a", "a")).isTrue();
        assertThat(matches("#.a", "x.a")).isTrue();
        assertThat(matches("#.a", "x.y.a")).isTrue();
        assertThat(matches("#.a", "a.x")).isFalse();
        assertThat(matches("#.a", "")).isFalse();
    }

    @Test
    void hashInTheMiddleMatchesZeroOrMoreWords() {
        assertThat(matches("a.#.b", "a.b")).isTrue();
        assertThat(matches("a.#.b", "a.x.b")).isTrue();
        assertThat(matches("a.#.b", "a.x.y.b")).isTrue();
        assertThat(matches("a.#.b", "a.x")).isFalse();
        assertThat(matches("a.#.b", "b")).isFalse();
    }

    @Test
    void hashMayAppearSeveralTimes() {
        assertThat(matches("#.#", "a")).isTrue();
        assertThat(matches("#.#", "a.b.c")).isTrue();
        assertThat(matches("a.#.b.#", "a.b")).isTrue();
        assertThat(matches("a.#.b.#", "a.x.b.y")).isTrue();
        assertThat(matches("a.#.b.#", "a.b.b")).isTrue();
        assertThat(matches("a.#.b.#", "a.x.y")).isFalse();
        assertThat(matches("#.a.#", "x.a.y")).isTrue();
        assertThat(matches("#.a.#", "x.y")).isFalse();
    }

    @Test
    void starAndHashCombine() {
        assertThat(matches("a.*.#", "a.b")).isTrue();
        assertThat(matches("a.*.#", "a.b.c.d")).isTrue();
        assertThat(matches("a.*.#", "a")).isFalse();
        assertThat(matches("*.#", "a")).isTrue();
        assertThat(matches("#.*", "a.b")).isTrue();
        assertThat(matches("#.*", "")).isFalse();
        assertThat(matches("#.*.#", "a")).isTrue();
        assertThat(matches("*.#.*", "a")).isFalse();
        assertThat(matches("*.#.*", "a.b")).isTrue();
    }

    @Test
    void emptyWordsAreRealWordsMatchedByStarAndByTheEmptyLiteral() {
        assertThat(matches("a.*.b", "a..b")).isTrue();
        assertThat(matches("a..b", "a..b")).isTrue();
        assertThat(matches("a.b", "a..b")).isFalse();
        assertThat(matches("a.*", "a.")).isTrue();
        assertThat(matches("a.", "a.")).isTrue();
        assertThat(matches("a", "a.")).isFalse();
        assertThat(matches("*.*", ".")).isTrue();
        assertThat(matches("*", ".")).isFalse();
        assertThat(matches("..", "..")).isTrue();
    }

    @Test
    void starOrHashInsideALongerWordIsLiteral() {
        assertThat(matches("a*", "a*")).isTrue();
        assertThat(matches("a*", "ab")).isFalse();
        assertThat(matches("a#.b", "a#.b")).isTrue();
        assertThat(matches("a#.b", "a.x.b")).isFalse();
    }

    @Test
    void routingKeyStarIsAnOrdinaryWord() {
        assertThat(matches("*", "*")).isTrue();
        assertThat(matches("a", "*")).isFalse();
    }

    @Test
    void dollarWordsAreNotSpecialInAmqp() {
        assertThat(matches("#", "$SYS.x")).isTrue();
        assertThat(matches("*.x", "$SYS.x")).isTrue();
    }
}
