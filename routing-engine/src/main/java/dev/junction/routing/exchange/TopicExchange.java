package dev.junction.routing.exchange;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.TopicTrie;
import dev.junction.routing.topic.TopicWords;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes by AMQP topic patterns, and by MQTT filters bound with {@link #MQTT_FILTER_ARGUMENT}: both live in
 * one {@link TopicTrie}, so matching cost follows the key, not the number of bindings.
 */
public final class TopicExchange extends Exchange {
    /**
     * A binding argument set by the MQTT adapter: the binding key is an MQTT filter already translated to
     * AMQP words, and MQTT's rule that a leading wildcard does not match '$' topics applies [MQTT-4.7.2-1].
     */
    public static final String MQTT_FILTER_ARGUMENT = Binding.MQTT_FILTER_ARGUMENT;

    /** Each binding as the list {@link #route} emits (see {@link Exchange#alone}); equal lists for equal bindings. */
    private final TopicTrie<List<Binding>> trie = new TopicTrie<>();
    /**
     * Every binding, for duplicate checks and listings; routing uses the trie only. A hash set, so that adding or
     * removing one costs the same with 10 bindings as with 100,000 (a copy-on-write set made each MQTT SUBSCRIBE
     * filter cost a scan and a copy of every binding of the exchange, so one SUBSCRIBE with 65,535 filters ran
     * for tens of seconds).
     */
    private final Set<Binding> all = ConcurrentHashMap.newKeySet();
    /**
     * Set on the exchange MQTT uses as its topic space: then every binding, an AMQP one too, follows MQTT's '$' rule.
     * The access check on an AMQP binding to this exchange judges its key as the MQTT filter it stands for, '$' rule
     * included (an ACL of {@code allow #} permits {@code #}); routing must agree, or {@code #} would read the broker's
     * {@code $SYS} topics, which that ACL does not allow. A '$' topic is read over AMQP by naming it ({@code $SYS.#}).
     */
    private volatile boolean mqttTopicSpace;

    TopicExchange(ExchangeSpec spec) {
        super(spec, ExchangeType.TOPIC);
    }

    /**
     * Makes every binding of this exchange, present and future, keep leading wildcards from '$' topics
     * [MQTT-4.7.2-1]. Each AMQP binding is added under its protected pattern before its plain one is removed, so a
     * publish routed meanwhile finds it once or twice (a queue still gets one copy), never not at all.
     */
    public synchronized void useMqttTopicRules() {
        if (mqttTopicSpace) {
            return;
        }
        for (Binding b : all) {
            if (!b.arguments().containsKey(MQTT_FILTER_ARGUMENT)) {
                trie.add(protectedPattern(b), alone(b));
            }
        }
        mqttTopicSpace = true;
        for (Binding b : all) {
            if (!b.arguments().containsKey(MQTT_FILTER_ARGUMENT)) {
                trie.remove(TopicPattern.amqp(b.routingKey()), alone(b));
            }
        }
    }

    @Override
    public synchronized boolean bind(Binding binding) {
        if (!all.add(binding)) {
            return false;
        }
        trie.add(patternOf(binding), alone(binding));
        return true;
    }

    @Override
    public boolean hasBinding(Binding binding) {
        return all.contains(binding);
    }

    @Override
    public synchronized boolean unbind(Binding binding) {
        if (!all.remove(binding)) {
            return false;
        }
        trie.remove(patternOf(binding), alone(binding));
        return true;
    }

    @Override
    public void route(Message message, List<String> routingKeys, Consumer<List<Binding>> sink) {
        for (int i = 0; i < routingKeys.size(); i++) {
            trie.match(TopicWords.amqp(routingKeys.get(i)), (pattern, binding) -> sink.accept(binding));
        }
    }

    @Override
    public boolean matches(Binding binding, Message message) {
        return patternOf(binding).matches(TopicWords.amqp(message.routingKey()));
    }

    @Override
    public Collection<Binding> bindings() {
        return List.copyOf(all);
    }

    @Override
    public boolean hasBindings() {
        return !all.isEmpty();
    }

    private TopicPattern patternOf(Binding b) {
        return mqttTopicSpace || b.arguments().containsKey(MQTT_FILTER_ARGUMENT)
                ? protectedPattern(b) : TopicPattern.amqp(b.routingKey());
    }

    private static TopicPattern protectedPattern(Binding b) {
        return new TopicPattern(TopicPattern.amqp(b.routingKey()).words(), true);
    }
}
