package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.TopicIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's subscriptions, by filter, plus a small trie of the non-shared ones so a delivery can be matched
 * again against the session's own filters: the engine gives the session queue one copy however many filters
 * match, and the client must get the highest granted QoS [MQTT-3.3.5-1] and every matching Subscription
 * Identifier [MQTT-3.3.4-3].
 */
final class Subscriptions {
    static final String QOS = "x-mqtt-qos";
    static final String NO_LOCAL = "x-mqtt-no-local";
    static final String RETAIN_AS_PUBLISHED = "x-mqtt-retain-as-published";
    static final String SUBSCRIPTION_ID = "x-mqtt-subscription-id";

    /**
     * @param filter the filter as the client sent it ({@code $share/g/f} included)
     * @param topicFilter the filter without a share prefix
     * @param group the share group, or null
     * @param queue the queue the subscription's binding leads to
     */
    record Subscription(String filter, String topicFilter, String group, String queue, int qos, boolean noLocal,
                        boolean retainAsPublished, int subscriptionId) {
        boolean shared() {
            return group != null;
        }

        /** The binding of a non-shared subscription; its arguments carry the options so a restart keeps them. */
        Binding binding(String exchange) {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put(Binding.MQTT_FILTER_ARGUMENT, true);
            args.put(QOS, qos);
            args.put(NO_LOCAL, noLocal);
            args.put(RETAIN_AS_PUBLISHED, retainAsPublished);
            args.put(SUBSCRIPTION_ID, subscriptionId);
            return Binding.toQueue(exchange, queue, TopicMapping.toBindingKey(topicFilter), args);
        }

        static Subscription fromBinding(Binding b) {
            String filter = TopicMapping.toFilter(b.routingKey());
            Map<String, Object> a = b.arguments();
            return new Subscription(filter, filter, null, b.destination(), intArg(a.get(QOS)),
                    Boolean.TRUE.equals(a.get(NO_LOCAL)), Boolean.TRUE.equals(a.get(RETAIN_AS_PUBLISHED)),
                    intArg(a.get(SUBSCRIPTION_ID)));
        }

        private static int intArg(Object o) {
            return o instanceof Number n ? n.intValue() : 0;
        }
    }

    private final Map<String, Subscription> byFilter = new LinkedHashMap<>();
    private final TopicIndex<Subscription> trie = new TopicIndex<>();

    /** Adds or replaces [MQTT-3.8.4-3]; returns the replaced subscription or null. */
    Subscription put(Subscription s) {
        Subscription old = remove(s.filter());
        byFilter.put(s.filter(), s);
        if (!s.shared()) {
            trie.add(s.topicFilter(), s);
        }
        return old;
    }

    Subscription remove(String filter) {
        Subscription old = byFilter.remove(filter);
        if (old != null && !old.shared()) {
            trie.remove(old.topicFilter(), old);
        }
        return old;
    }

    int size() {
        return byFilter.size();
    }

    Subscription get(String filter) {
        return byFilter.get(filter);
    }

    List<Subscription> all() {
        return List.copyOf(byFilter.values());
    }

    /** The shared subscription whose queue is {@code queue}, or null. */
    Subscription sharedFor(String queue) {
        for (Subscription s : byFilter.values()) {
            if (s.shared() && s.queue().equals(queue)) {
                return s;
            }
        }
        return null;
    }

    /** The non-shared subscriptions whose filters match {@code topic}. */
    List<Subscription> matching(String topic) {
        List<Subscription> out = new ArrayList<>(2);
        trie.match(TopicMapping.levels(topic), out::add);
        return out;
    }

    void clear() {
        for (Subscription s : List.copyOf(byFilter.values())) {
            remove(s.filter());
        }
    }
}
