package dev.junction.routing.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MQTT topic filter matching, with the examples of section 4.7 of MQTT 3.1.1 and 5.0. Statement ids are
 * given for both versions where they differ.
 */
class MqttTopicMatchingTest {

    private static boolean matches(String filter, String topicName) {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.mqtt(filter), "client");
        var hits = Hits.mqtt(trie, topicName);
        assertThat(hits).hasSizeLessThanOrEqualTo(1);
        boolean matched = hits.size() == 1;
        assertThat(matched)
                .as("trie and reference disagree on filter '%s', topic '%s'", filter, topicName)
                .isEqualTo(ReferenceMatcher.mqttMatches(filter, topicName));
        return matched;
    }

    // Section 4.7.1.2 (non-normative example): '#' matches the parent level and any number of child levels.
    @Test
    void multiLevelWildcardMatchesTheParentAndAllChildLevels_section4_7_1_2() {
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1/ranking")).isTrue();
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon")).isTrue();
        assertThat(matches("sport/tennis/player1/#", "sport/tennis/player2")).isFalse();
    }

    // Section 4.7.1.2: "sport/#" also matches the singular "sport", since '#' includes the parent level.
    @Test
    void sportHashMatchesSport_section4_7_1_2() {
        assertThat(matches("sport/#", "sport")).isTrue();
        assertThat(matches("sport/#", "sport/")).isTrue();
        assertThat(matches("sport/#", "sports")).isFalse();
    }

    // Section 4.7.1.2: "#" on its own matches every topic (that does not start with '$').
    @Test
    void hashAloneMatchesEveryTopic() {
        for (String topic : new String[] {"a", "/", "/a", "a/b/c", "sport/tennis/player1", "a$"}) {
            assertThat(matches("#", topic)).as(topic).isTrue();
        }
    }

    // Section 4.7.1.3: '+' matches exactly one level.
    @Test
    void singleLevelWildcardMatchesExactlyOneLevel_section4_7_1_3() {
        assertThat(matches("sport/tennis/+", "sport/tennis/player1")).isTrue();
        assertThat(matches("sport/tennis/+", "sport/tennis/player2")).isTrue();
        assertThat(matches("sport/tennis/+", "sport/tennis/player1/ranking")).isFalse();
        assertThat(matches("sport/+", "sport/tennis/player1")).isFalse();
    }

    // Section 4.7.1.3: "sport/+" does not match "sport" but does match "sport/" (an empty level).
    @Test
    void singleLevelWildcardMatchesAnEmptyLevelButNotAMissingOne_section4_7_1_3() {
        assertThat(matches("sport/+", "sport")).isFalse();
        assertThat(matches("sport/+", "sport/")).isTrue();
    }

    // Section 4.7.1.3: "+/+" and "/+" match "/finance", "+" does not.
    @Test
    void emptyLeadingLevelIsARealLevel_section4_7_1_3() {
        assertThat(matches("+/+", "/finance")).isTrue();
        assertThat(matches("/+", "/finance")).isTrue();
        assertThat(matches("+", "/finance")).isFalse();
    }

    @Test
    void emptyLevelsAreMatchedByPlusAndByTheEmptyLiteral() {
        assertThat(matches("+/+", "/")).isTrue();
        assertThat(matches("/", "/")).isTrue();
        assertThat(matches("+", "/")).isFalse();
        assertThat(matches("a//b", "a//b")).isTrue();
        assertThat(matches("a/+/b", "a//b")).isTrue();
        assertThat(matches("a/b", "a//b")).isFalse();
    }

    @Test
    void mixedWildcardsMatch() {
        assertThat(matches("+/tennis/#", "sport/tennis/player1/ranking")).isTrue();
        assertThat(matches("+/tennis/#", "sport/tennis")).isTrue();
        assertThat(matches("+/tennis/#", "sport/golf")).isFalse();
        assertThat(matches("+/+/#", "a")).isFalse();
        assertThat(matches("+/+/#", "a/b")).isTrue();
    }

    // [MQTT-4.7.2-1]: a filter starting with a wildcard does not match a topic name starting with '$'.
    @Test
    void filterStartingWithAWildcardDoesNotMatchDollarTopics_MQTT_4_7_2_1() {
        assertThat(matches("#", "$SYS/monitor/Clients")).isFalse();
        assertThat(matches("+/monitor/Clients", "$SYS/monitor/Clients")).isFalse();
        assertThat(matches("#", "$SYS")).isFalse();
        assertThat(matches("+", "$")).isFalse();
        assertThat(matches("+/#", "$share/x")).isFalse();
    }

    // [MQTT-4.7.2-1], section 4.7.2: filters that start with the literal '$' word do match.
    @Test
    void filterStartingWithTheLiteralDollarWordMatchesDollarTopics_MQTT_4_7_2_1() {
        assertThat(matches("$SYS/#", "$SYS/monitor/Clients")).isTrue();
        assertThat(matches("$SYS/#", "$SYS/x")).isTrue();
        assertThat(matches("$SYS/#", "$SYS")).isTrue();
        assertThat(matches("$SYS/monitor/+", "$SYS/monitor/Clients")).isTrue();
        assertThat(matches("$SYS/+/Clients", "$SYS/monitor/Clients")).isTrue();
    }

    // [MQTT-4.7.2-1] only looks at the first level.
    @Test
    void dollarOnlyMattersInTheFirstLevel_MQTT_4_7_2_1() {
        assertThat(matches("a/#", "a/$x")).isTrue();
        assertThat(matches("+/+", "a/$x")).isTrue();
        assertThat(matches("#", "a$/x")).isTrue();
    }

    // Overlapping subscriptions: every matching filter of a client is reported, each once.
    @Test
    void overlappingSubscriptionsAreEachReportedOnce() {
        TopicTrie<String> trie = new TopicTrie<>();
        List<String> filters = List.of("a/+", "a/#", "#", "+/b", "a/b", "+/#", "+/+");
        for (String f : filters) {
            trie.add(TopicPattern.mqtt(f), "client-1");
        }
        assertThat(Hits.mqtt(trie, "a/b"))
                .extracting(Hits::pattern)
                .containsExactlyInAnyOrderElementsOf(filters.stream().map(TopicPattern::mqtt).toList());
        assertThat(Hits.mqtt(trie, "$a/b"))
                .extracting(Hits::pattern)
                .isEmpty();
    }

    @Test
    void amqpAndMqttPatternsShareOneTrieAndOnlyMqttOnesAreDollarProtected() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("#"), "amqp");
        trie.add(TopicPattern.mqtt("#"), "mqtt");
        assertThat(Hits.of(trie, List.of("a", "b"))).extracting(Hits::value).containsExactlyInAnyOrder("amqp", "mqtt");
        assertThat(Hits.of(trie, List.of("$SYS", "b"))).extracting(Hits::value).containsExactly("amqp");
    }
}
