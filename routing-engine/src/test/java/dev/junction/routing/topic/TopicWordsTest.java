package dev.junction.routing.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicWordsTest {

    @Test
    void amqpEmptyRoutingKeyIsZeroWords() {
        assertThat(TopicWords.amqp("")).isEmpty();
    }

    @Test
    void amqpRoutingKeyWithNDotsHasNPlusOneWords() {
        assertThat(TopicWords.amqp("a")).containsExactly("a");
        assertThat(TopicWords.amqp("a.b.c")).containsExactly("a", "b", "c");
        assertThat(TopicWords.amqp("a..b")).containsExactly("a", "", "b");
        assertThat(TopicWords.amqp(".")).containsExactly("", "");
        assertThat(TopicWords.amqp("a.")).containsExactly("a", "");
        assertThat(TopicWords.amqp(".a")).containsExactly("", "a");
    }

    @Test
    void amqpRoutingKeyMayContainStarAndHashAsOrdinaryCharacters() {
        assertThat(TopicWords.amqp("*.#")).containsExactly("*", "#");
    }

    @Test
    void mqttTopicNameLevelsIncludeEmptyOnes() {
        assertThat(TopicWords.mqtt("/finance")).containsExactly("", "finance");
        assertThat(TopicWords.mqtt("a/")).containsExactly("a", "");
        assertThat(TopicWords.mqtt("/")).containsExactly("", "");
        assertThat(TopicWords.mqtt("$SYS/x")).containsExactly("$SYS", "x");
    }

    // [MQTT-4.7.1-1] (3.1.1) / [MQTT-4.7.0-1] (5.0): no wildcard characters in a topic name.
    @ParameterizedTest
    @ValueSource(strings = {"a/+", "#", "a/b#", "+"})
    void mqttTopicNameMustNotContainWildcards_MQTT_4_7_1_1(String name) {
        assertThatThrownBy(() -> TopicWords.mqtt(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.1-1");
    }

    // [MQTT-4.7.3-1], [MQTT-4.7.3-2]
    @Test
    void mqttTopicNameMustBeNonEmptyAndFreeOfNul_MQTT_4_7_3_1_and_2() {
        assertThatThrownBy(() -> TopicWords.mqtt("")).hasMessageContaining("MQTT-4.7.3-1");
        assertThatThrownBy(() -> TopicWords.mqtt("a\u0000")).hasMessageContaining("MQTT-4.7.3-2");
    }

    @Test
    void wordListsAreImmutable() {
        assertThatThrownBy(() -> TopicWords.amqp("a.b").set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> TopicWords.mqtt("a/b").set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
