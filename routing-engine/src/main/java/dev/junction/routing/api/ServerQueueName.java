package dev.junction.routing.api;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * A name the server makes up for a queue declared with an empty name: {@code amq.gen-} and 128 random bits, as
 * RabbitMQ names them. Made only here, so a client can never choose one (names beginning with {@code amq.} are
 * reserved to the server). An adapter that must ask an auth service about the name before the queue exists makes one
 * with {@link #next()} and declares with it ({@link Vhost#declareQueue(QueueSpec, ServerQueueName, Object,
 * java.util.function.Consumer)}), so that a declaration handled again once the answer came creates the queue that was
 * asked about.
 */
public final class ServerQueueName {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What every server-made queue name begins with. */
    public static final String PREFIX = "amq.gen-";

    private final String name;

    private ServerQueueName(String name) {
        this.name = name;
    }

    /** A new random name. */
    public static ServerQueueName next() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return new ServerQueueName(PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
