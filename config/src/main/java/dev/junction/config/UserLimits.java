package dev.junction.config;

/**
 * RabbitMQ-style limits of one user ("user limits": {@code max-connections}, {@code max-channels}) over all of that
 * user's connections, every protocol together for connections, AMQP for channels. 0 means unlimited.
 */
public record UserLimits(int maxConnections, int maxChannels) {
    public static final UserLimits DEFAULTS = new UserLimits(5_000, 20_000);
}
