package dev.junction.routing.topic;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Splits the topic a message is published to into the words {@link TopicTrie#match} takes. Splitting is a
 * plain character scan: no regular expression, no rewriting.
 */
public final class TopicWords {

    private TopicWords() {
    }

    /**
     * The words of an AMQP 0-9-1 routing key, split on {@code '.'}. As in RabbitMQ, the empty key
     * {@code ""} is zero words; any other key with {@code n} dots is {@code n + 1} words, empty words
     * included ({@code "a..b"} is {@code a}, {@code ""}, {@code b}). Characters {@code *} and {@code #}
     * have no special meaning in a routing key.
     */
    public static List<String> amqp(String routingKey) {
        Objects.requireNonNull(routingKey, "routingKey");
        if (routingKey.isEmpty()) {
            return List.of();
        }
        return Collections.unmodifiableList(Arrays.asList(split(routingKey, '.')));
    }

    /**
     * The levels of an MQTT topic name, split on {@code '/'}; every level is real, empty ones included
     * ({@code "/finance"} is {@code ""}, {@code finance}).
     *
     * @throws IllegalArgumentException if the name is empty [MQTT-4.7.3-1], contains U+0000
     *         [MQTT-4.7.3-2], is longer than 65,535 UTF-8 bytes [MQTT-4.7.3-3], or contains a wildcard
     *         character {@code +} or {@code #} (3.1.1: [MQTT-4.7.1-1], 5.0: [MQTT-4.7.0-1])
     */
    public static List<String> mqtt(String topicName) {
        checkMqtt(topicName);
        return Collections.unmodifiableList(Arrays.asList(split(topicName, '/')));
    }

    /** The checks of {@link #mqtt} alone, without splitting the name: what every PUBLISH asks, so it makes nothing. */
    public static void checkMqtt(String topicName) {
        Objects.requireNonNull(topicName, "topicName");
        TopicPattern.checkMqttString(topicName, "topic name");
        if (topicName.indexOf('+') >= 0 || topicName.indexOf('#') >= 0) {
            throw new IllegalArgumentException(
                    "an MQTT topic name must not contain '+' or '#' [MQTT-4.7.1-1 (3.1.1) / MQTT-4.7.0-1 (5.0)]: "
                            + topicName);
        }
    }

    /** Splits on every {@code separator}, keeping empty parts: {@code n} separators give {@code n + 1} parts. */
    static String[] split(String s, char separator) {
        int parts = 1;
        for (int i = s.indexOf(separator); i >= 0; i = s.indexOf(separator, i + 1)) {
            parts++;
        }
        String[] out = new String[parts];
        int start = 0;
        for (int p = 0; p < parts - 1; p++) {
            int end = s.indexOf(separator, start);
            out[p] = s.substring(start, end);
            start = end + 1;
        }
        out[parts - 1] = s.substring(start);
        return out;
    }
}
