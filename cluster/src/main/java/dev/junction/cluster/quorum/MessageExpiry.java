package dev.junction.cluster.quorum;

import dev.junction.routing.MessageCodec;

/**
 * A message's own TTL on a quorum queue: the AMQP 0-9-1 {@code expiration} property (milliseconds, a string), onto
 * which the engine maps AMQP 1.0's header ttl and MQTT 5's Message Expiry Interval. RabbitMQ's quorum queues apply
 * it since 3.10 ("Time-To-Live and Expiration", per-message TTL): the lower of it and x-message-ttl wins, and an
 * expired message is only dropped (or dead-lettered, reason {@code expired}) once it reaches the head of the queue.
 * Read from the engine's encoding of the message the enqueue carries, so every replica finds the same value.
 */
final class MessageExpiry {
    private MessageExpiry() {
    }

    /**
     * When the message encoded as {@code message} expires by its own expiration, counted from {@code base} (epoch
     * milliseconds, the time the log carries for its publish), or -1 when it has none, {@code base} is not known
     * (0), or it cannot be read. As the single-node queue judges it: a value that is no number never expires (AMQP
     * 0-9-1 publishers are refused it at publish; a stored oddity must not stop a replica), a negative one as 0.
     */
    static long of(byte[] message, long base) {
        if (base <= 0) {
            return -1;
        }
        String expiration = expiration(message);
        if (expiration == null) {
            return -1;
        }
        long ttl;
        try {
            ttl = Math.max(0, Long.parseLong(expiration));
        } catch (NumberFormatException e) {
            return -1;
        }
        return ttl > Long.MAX_VALUE - base ? -1 : base + ttl;
    }

    /** The expiration property of an engine-encoded message ({@link MessageCodec#expiration}), or null. */
    static String expiration(byte[] message) {
        return MessageCodec.expiration(message);
    }
}
