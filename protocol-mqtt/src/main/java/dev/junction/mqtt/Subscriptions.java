package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's subscriptions, by filter. A non-shared subscription is a binding of the session queue whose
 * arguments carry its options, so the engine, which knows which bindings a message matched, hands them to the
 * delivery ({@link Grant}): the session never matches a topic against its own filters. A shared subscription's
 * options are this session's own, kept here ({@link #sharedFor}).
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
    }

    /** A numeric binding argument, 0 when absent. */
    static int intArg(Object o) {
        return o instanceof Number n ? n.intValue() : 0;
    }

    /** Immutable and empty until the first subscription (a device that never subscribes holds no map). */
    private Map<String, Subscription> byFilter = Map.of();

    /** Adds or replaces [MQTT-3.8.4-3]; returns the replaced subscription or null. */
    Subscription put(Subscription s) {
        if (!(byFilter instanceof LinkedHashMap)) {
            byFilter = new LinkedHashMap<>(2); // a device has one subscription or a few: a small table first
        }
        Subscription old = byFilter.remove(s.filter()); // the replacement goes last, as a new one would
        byFilter.put(s.filter(), s);
        return old;
    }

    Subscription remove(String filter) {
        return byFilter.isEmpty() ? null : byFilter.remove(filter);
    }

    int size() {
        return byFilter.size();
    }

    Subscription get(String filter) {
        return byFilter.get(filter);
    }

    /**
     * {@code get(TopicMapping.toFilter(bindingKey))}: the subscription a matched binding stands for. A device has one
     * subscription or a few, so they are compared with the key in place (no filter string per delivery); a session
     * with many looks its filter up by hash.
     */
    Subscription forBindingKey(String bindingKey) {
        if (byFilter.size() > 8) {
            return byFilter.get(TopicMapping.toFilter(bindingKey));
        }
        for (Map.Entry<String, Subscription> e : byFilter.entrySet()) {
            if (TopicMapping.isFilterOf(e.getKey(), bindingKey)) {
                return e.getValue();
            }
        }
        return null;
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

    void clear() {
        byFilter = Map.of();
    }
}
