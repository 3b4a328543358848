package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** MQTT topics and filters as AMQP keys (MQTT 5 section 4.7). */
class TopicMappingTest {
    @Test
    void levelSeparatorAndDotSwapPlacesBothWays() {
        assertThat(TopicMapping.toRoutingKey("sensors/x/temp")).isEqualTo("sensors.x.temp");
        assertThat(TopicMapping.toRoutingKey("spBv1.0/g/n")).isEqualTo("spBv1/0.g.n");
        assertThat(TopicMapping.toTopic(TopicMapping.toRoutingKey("a.b/c/.d"))).isEqualTo("a.b/c/.d");
    }

    @Test
    void emptyLevelsAreLevels_MQTT_4_7_3_1() {
        assertThat(TopicMapping.toRoutingKey("/a//b/")).isEqualTo(".a..b.");
        assertThat(TopicMapping.levels("/a//b/")).containsExactly("", "a", "", "b", "");
    }

    @Test
    void wildcardsBecomeBindingKeyWildcards_MQTT_4_7_1_2() {
        assertThat(TopicMapping.toBindingKey("a/+/c/#")).isEqualTo("a.*.c.#");
        assertThat(TopicMapping.toBindingKey("#")).isEqualTo("#");
        assertThat(TopicMapping.toBindingKey("a.b/+")).isEqualTo("a/b.*");
        assertThat(TopicMapping.toFilter(TopicMapping.toBindingKey("a.b/+/#"))).isEqualTo("a.b/+/#");
    }

    @Test
    void theInPlaceComparisonsAgreeWithTheMappings() {
        String[] keys = {"", "a", "a.b.c", "a.*.c.#", "*", "#", "a/b.*", "**", "a*.b", "*.x", "x.*", "..", ".a.", "$SYS.*"};
        for (String key : keys) {
            String filter = TopicMapping.toFilter(key);
            assertThat(TopicMapping.isFilterOf(filter, key)).as(key).isTrue();
            assertThat(TopicMapping.isTopicOf(TopicMapping.toTopic(key), key)).as(key).isTrue();
            for (String other : keys) {
                assertThat(TopicMapping.isFilterOf(TopicMapping.toFilter(other), key)).as(other + " / " + key)
                        .isEqualTo(TopicMapping.toFilter(other).equals(filter));
                assertThat(TopicMapping.isTopicOf(other, key)).as(other + " / " + key)
                        .isEqualTo(other.equals(TopicMapping.toTopic(key)));
            }
        }
        assertThat(TopicMapping.isFilterOf("a/*", "a.*")).as("a bound '*' level reads back as '+'").isFalse();
    }

    @Test
    void sharedSubscriptionsSplitIntoGroupAndFilter_section_4_8_2() {
        assertThat(TopicMapping.shared("$share/g/a/b")).containsExactly("g", "a/b");
        assertThat(TopicMapping.shared("$share/g")).containsExactly("g", "");
        assertThat(TopicMapping.shared("a/b")).isNull();
        assertThat(TopicMapping.shared("$SHARE/g/a")).as("the prefix is case-sensitive").isNull();
    }

    @Test
    void distinctShareGroupsAndFiltersGetDistinctQueues() {
        assertThat(TopicMapping.shareQueue("g.x", "y")).isNotEqualTo(TopicMapping.shareQueue("g", "x.y"));
        assertThat(TopicMapping.shareQueue("g", "a.b")).isEqualTo("mqtt.share.g.a.b");
    }

    @Test
    void sessionQueuesAreRecognised() {
        assertThat(MqttServer.isSessionQueue(TopicMapping.sessionQueue("c1"))).isTrue();
        assertThat(MqttServer.isSessionQueue(TopicMapping.shareQueue("g", "a"))).isFalse();
    }
}
