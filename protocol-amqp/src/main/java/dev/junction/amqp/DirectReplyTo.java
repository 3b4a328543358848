package dev.junction.amqp;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RabbitMQ's direct reply-to: a client consumes from the pseudo-queue "amq.rabbitmq.reply-to" without ack; its
 * requests' reply_to is rewritten to a unique "amq.rabbitmq.reply-to.&lt;id&gt;" name; a reply published to the
 * default exchange with that routing key goes straight to the consumer, bypassing queues.
 */
final class DirectReplyTo {
    static final String PSEUDO_QUEUE = "amq.rabbitmq.reply-to";
    static final String PREFIX = PSEUDO_QUEUE + ".";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where replies for one reply-to consumer go. */
    interface Target {
        void reply(dev.junction.routing.api.Message message);
    }

    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    String register(Target target) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String name = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        targets.put(name, target);
        return name;
    }

    void unregister(String name) {
        targets.remove(name);
    }

    Target target(String routingKey) {
        return targets.get(routingKey);
    }

    /** The pseudo-queue itself or a reply-to address under it. */
    static boolean isReplyToName(String name) {
        return name.equals(PSEUDO_QUEUE) || name.startsWith(PREFIX);
    }
}
