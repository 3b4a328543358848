package dev.junction.routing.topic;

import static dev.junction.routing.topic.Word.MANY_WORDS;
import static dev.junction.routing.topic.Word.ONE_WORD;
import static dev.junction.routing.topic.Word.literal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicPatternTest {

    @Test
    void amqpBindingKeySplitsOnDotsWithStarAndHashAsWholeWordWildcards() {
        assertThat(TopicPattern.amqp("a.*.#").words()).containsExactly(literal("a"), ONE_WORD, MANY_WORDS);
        assertThat(TopicPattern.amqp("#.#").words()).containsExactly(MANY_WORDS, MANY_WORDS);
        assertThat(TopicPattern.amqp("a").words()).containsExactly(literal("a"));
    }

    @Test
    void amqpEmptyBindingKeyIsZeroWords() {
        assertThat(TopicPattern.amqp("").words()).isEmpty();
    }

    @Test
    void amqpKeepsEmptyWords() {
        assertThat(TopicPattern.amqp(".").words()).containsExactly(literal(""), literal(""));
        assertThat(TopicPattern.amqp("a..b").words()).containsExactly(literal("a"), literal(""), literal("b"));
        assertThat(TopicPattern.amqp("a.").words()).containsExactly(literal("a"), literal(""));
    }

    @Test
    void amqpWildcardCharacterInsideAWordIsLiteral() {
        assertThat(TopicPattern.amqp("a*.#b.+").words()).containsExactly(literal("a*"), literal("#b"), literal("+"));
    }

    @Test
    void amqpPatternsAreNotDollarProtected() {
        assertThat(TopicPattern.amqp("#").dollarProtected()).isFalse();
        assertThat(TopicPattern.amqp("#").excludesDollarTopics()).isFalse();
    }

    @Test
    void mqttFilterSplitsOnSlashesWithPlusAndHash() {
        assertThat(TopicPattern.mqtt("sport/+/#").words()).containsExactly(literal("sport"), ONE_WORD, MANY_WORDS);
        assertThat(TopicPattern.mqtt("a*").words()).containsExactly(literal("a*"));
    }

    @Test
    void mqttEmptyLevelsAreRealLevels() {
        assertThat(TopicPattern.mqtt("/a").words()).containsExactly(literal(""), literal("a"));
        assertThat(TopicPattern.mqtt("/").words()).containsExactly(literal(""), literal(""));
        assertThat(TopicPattern.mqtt("a//+").words()).containsExactly(literal("a"), literal(""), ONE_WORD);
    }

    // [MQTT-4.7.2-1]
    @Test
    void mqttFiltersAreDollarProtectedAndExcludeDollarTopicsOnlyWhenStartingWithAWildcard() {
        assertThat(TopicPattern.mqtt("#").dollarProtected()).isTrue();
        assertThat(TopicPattern.mqtt("#").excludesDollarTopics()).isTrue();
        assertThat(TopicPattern.mqtt("+/a").excludesDollarTopics()).isTrue();
        assertThat(TopicPattern.mqtt("$SYS/#").excludesDollarTopics()).isFalse();
        assertThat(TopicPattern.mqtt("a/#").excludesDollarTopics()).isFalse();
    }

    // Section 4.7.1 examples of valid filters.
    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "/", "//", "sport/tennis/#", "+/tennis/#", "sport/+/player1", "+/+", "/+",
            "$SYS/#", "sport/tennis/+", "a b/ü/€"})
    void validMqttFiltersParse(String filter) {
        assertThat(TopicPattern.mqtt(filter).words()).isNotEmpty();
    }

    // [MQTT-4.7.1-2] (3.1.1) / [MQTT-4.7.1-1] (5.0): '#' on its own or after '/', and last.
    @ParameterizedTest
    @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "#/a", "##", "a/#/", "#a", "a/b#c"})
    void multiLevelWildcardMustBeAWholeLevelAndTheLastOne_MQTT_4_7_1_2(String filter) {
        assertThatThrownBy(() -> TopicPattern.mqtt(filter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.1-2");
    }

    // [MQTT-4.7.1-3] (3.1.1) / [MQTT-4.7.1-2] (5.0): '+' must occupy an entire level.
    @ParameterizedTest
    @ValueSource(strings = {"sport+", "sport/+tennis", "a/++", "+a/b", "a/b+"})
    void singleLevelWildcardMustBeAWholeLevel_MQTT_4_7_1_3(String filter) {
        assertThatThrownBy(() -> TopicPattern.mqtt(filter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.1-3");
    }

    // [MQTT-4.7.3-1]
    @Test
    void emptyMqttFilterIsRejected_MQTT_4_7_3_1() {
        assertThatThrownBy(() -> TopicPattern.mqtt(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.3-1");
    }

    // [MQTT-4.7.3-2]
    @Test
    void mqttFilterWithNulIsRejected_MQTT_4_7_3_2() {
        assertThatThrownBy(() -> TopicPattern.mqtt("a/\u0000/b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.3-2");
    }

    // [MQTT-4.7.3-3]
    @Test
    void mqttFilterLongerThan65535Utf8BytesIsRejected_MQTT_4_7_3_3() {
        assertThat(TopicPattern.mqtt("a".repeat(65_535)).words()).hasSize(1);
        assertThatThrownBy(() -> TopicPattern.mqtt("a".repeat(65_536)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.3-3");
        assertThatThrownBy(() -> TopicPattern.mqtt("é".repeat(32_768))) // 2 bytes each
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MQTT-4.7.3-3");
    }

    @Test
    void patternsAreValuesAndTheDialectFlagIsPartOfTheValue() {
        assertThat(TopicPattern.amqp("a.*")).isEqualTo(new TopicPattern(List.of(literal("a"), ONE_WORD), false));
        assertThat(TopicPattern.mqtt("a/+")).isEqualTo(new TopicPattern(List.of(literal("a"), ONE_WORD), true));
        assertThat(TopicPattern.amqp("a.b")).isNotEqualTo(TopicPattern.mqtt("a/b"));
    }

    @Test
    void patternWordsAreImmutable() {
        var words = new java.util.ArrayList<>(List.of(literal("a")));
        TopicPattern p = new TopicPattern(words, false);
        words.add(MANY_WORDS);
        assertThat(p.words()).containsExactly(literal("a"));
        assertThatThrownBy(() -> p.words().add(ONE_WORD)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void wordKindAndLiteralMustAgree() {
        assertThatThrownBy(() -> new Word(Word.Kind.LITERAL, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Word(Word.Kind.ONE, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Word(Word.Kind.MANY, null)).isEqualTo(MANY_WORDS);
    }

    @Test
    void toStringUsesTheDialectSpelling() {
        assertThat(TopicPattern.amqp("a.*.#")).hasToString("amqp:a.*.#");
        assertThat(TopicPattern.mqtt("a/+/#")).hasToString("mqtt:a/+/#");
    }
}
