package dev.junction.mqtt;

import dev.junction.routing.auth.MqttTopics;
import java.util.List;

/**
 * MQTT topics and filters to AMQP routing and binding keys and back. The level separator '/' and the AMQP word
 * separator '.' swap places, so the mapping is reversible: {@code sensors/x/temp} is {@code sensors.x.temp} and
 * {@code spBv1.0/g/n} is {@code spBv1/0.g.n}. Filter wildcards map {@code +} to {@code *} and {@code #} to
 * {@code #}.
 */
final class TopicMapping {
    static final String SHARE_PREFIX = "$share/";

    private TopicMapping() {
    }

    /** An MQTT topic name as an AMQP routing key (and an AMQP routing key back as a topic: the swap is its own inverse). */
    static String swap(String s) {
        return MqttTopics.fromRoutingKey(s);
    }

    static String toRoutingKey(String topic) {
        return swap(topic);
    }

    static String toTopic(String routingKey) {
        return swap(routingKey);
    }

    /** An MQTT topic filter (already validated) as an AMQP binding key. */
    static String toBindingKey(String filter) {
        StringBuilder sb = new StringBuilder(filter.length());
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (i > 0) {
                sb.append('.');
            }
            String level = levels[i];
            sb.append(level.equals("+") ? "*" : level.equals("#") ? "#" : level.replace('.', '/'));
        }
        return sb.toString();
    }

    /**
     * Whether {@code filter} is {@link #toFilter}{@code (bindingKey)}, compared a character at a time without making
     * the filter: every delivery asks it of its matched bindings. The mapping keeps the length: '.' and '/' swap, and
     * a word that is exactly {@code *} is the level {@code +}.
     */
    static boolean isFilterOf(String filter, String bindingKey) {
        int n = bindingKey.length();
        if (filter.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char k = bindingKey.charAt(i);
            char f = k == '.' ? '/' : k == '/' ? '.' : k;
            if (k == '*' && (i == 0 || bindingKey.charAt(i - 1) == '.')
                    && (i + 1 == n || bindingKey.charAt(i + 1) == '.')) {
                f = '+'; // a word that is exactly '*'
            }
            if (filter.charAt(i) != f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code topic} is {@link #swap}{@code (routingKey)}, compared a character at a time without making the
     * swapped string (the swap keeps the length).
     */
    static boolean isTopicOf(String topic, String routingKey) {
        int n = routingKey.length();
        if (topic.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char k = routingKey.charAt(i);
            if (topic.charAt(i) != (k == '.' ? '/' : k == '/' ? '.' : k)) {
                return false;
            }
        }
        return true;
    }

    /** An AMQP binding key made by {@link #toBindingKey} back as the MQTT filter. */
    static String toFilter(String bindingKey) {
        return MqttTopics.toFilter(bindingKey);
    }

    /** The levels of a topic name for matching; every level counts, empty ones included. */
    static List<String> levels(String topic) {
        return MqttTopics.levels(topic);
    }

    /** A shared subscription {@code $share/{group}/{filter}} split into group and filter, or null if not shared. */
    static String[] shared(String filter) {
        if (!filter.startsWith(SHARE_PREFIX)) {
            return null;
        }
        int slash = filter.indexOf('/', SHARE_PREFIX.length());
        if (slash < 0) {
            return new String[] {filter.substring(SHARE_PREFIX.length()), ""};
        }
        return new String[] {filter.substring(SHARE_PREFIX.length(), slash), filter.substring(slash + 1)};
    }

    static String sessionQueue(String clientId) {
        return "mqtt.session." + clientId;
    }

    static final String SHARE_QUEUE_PREFIX = "mqtt.share.";

    /**
     * The queue of share group {@code group} for {@code filter}: {@code mqtt.share.{group}.{filter}}, with each '.'
     * of the group written as '/'. Rule: distinct (group, filter) pairs get distinct names. The group ends at the
     * first '.' after the prefix, so a '.' inside it would let {@code $share/g.x/y} and {@code $share/g/x.y} meet in
     * one queue; a group cannot hold '/' (MQTT 5 section 4.8.2), so '/' stands for its dots unambiguously. A group
     * without dots keeps the name earlier versions gave it, so stored sessions rejoin the queues they had.
     */
    static String shareQueue(String group, String filter) {
        return SHARE_QUEUE_PREFIX + group.replace('.', '/') + "." + filter;
    }
}
