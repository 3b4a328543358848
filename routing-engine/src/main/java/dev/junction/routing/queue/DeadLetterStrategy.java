package dev.junction.routing.queue;

/**
 * How a quorum queue dead-letters ({@code x-dead-letter-strategy}, RabbitMQ "Quorum Queues", "Dead Lettering"): at
 * most once, the default, publishes a dead letter once without waiting for its target; at least once keeps it in the
 * queue until its target confirmed it, and applies only with {@code x-overflow} {@code reject-publish} and a
 * dead-letter exchange (otherwise RabbitMQ, and Junction, fall back to at most once). Other queue types ignore it.
 */
public enum DeadLetterStrategy {
    AT_MOST_ONCE("at-most-once"),
    AT_LEAST_ONCE("at-least-once");

    private final String wireName;

    DeadLetterStrategy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static DeadLetterStrategy fromWireName(String s) {
        for (DeadLetterStrategy d : values()) {
            if (d.wireName.equals(s)) {
                return d;
            }
        }
        return null;
    }
}
