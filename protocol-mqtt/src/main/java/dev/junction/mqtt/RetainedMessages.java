package dev.junction.mqtt;

import dev.junction.routing.Message;
import dev.junction.routing.MessageCodec;
import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.TopicTrie;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retained message of every topic in the MQTT vhost: an in-memory index, written through to the store so a
 * durable store keeps them across restarts. A retained message with an empty payload clears the topic
 * [MQTT-3.3.1-6, MQTT-3.3.1-7].
 */
final class RetainedMessages {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedMessages.class);

    record Retained(String topic, Message message) {
    }

    private final String vhost;
    private final RetainedStore store;
    private final Map<String, Message> byTopic = new ConcurrentHashMap<>();

    RetainedMessages(String vhost, RetainedStore store) {
        this.vhost = vhost;
        this.store = store;
        for (RetainedMessage r : store.all()) {
            if (r.vhost().equals(vhost)) {
                try {
                    byTopic.put(r.topic(), MessageCodec.decode(r.data()));
                } catch (RuntimeException e) {
                    LOG.warn("skipping unreadable retained message of '{}'", r.topic(), e);
                }
            }
        }
    }

    void apply(String topic, Message m) {
        if (m.bodySize() == 0) {
            byTopic.remove(topic);
            store.delete(vhost, topic);
        } else {
            byTopic.put(topic, m);
            store.put(new RetainedMessage(vhost, topic, MessageCodec.encode(m)));
        }
    }

    /** The retained messages whose topics match {@code filter} (wildcards and the '$' rule included). */
    List<Retained> matching(String filter) {
        TopicTrie<Boolean> one = new TopicTrie<>();
        one.add(TopicPattern.mqtt(filter), Boolean.TRUE);
        List<Retained> out = new ArrayList<>();
        byTopic.forEach((topic, m) -> one.match(TopicMapping.levels(topic), (p, v) -> out.add(new Retained(topic, m))));
        return out;
    }

    int size() {
        return byTopic.size();
    }
}
