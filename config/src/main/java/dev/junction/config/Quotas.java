package dev.junction.config;

import java.util.Map;
import java.util.Objects;

/**
 * What one client, user or vhost may create: the vhost and user limits (defaults for all, overridden per name),
 * consumers per AMQP channel, subscriptions per MQTT session and topic filters per MQTT SUBSCRIBE. 0 means
 * unlimited. Whatever these say, the engine refuses new declarations while the memory alarm is raised.
 */
public record Quotas(VhostLimits vhostDefaults, Map<String, VhostLimits> vhosts, UserLimits userDefaults,
                     Map<String, UserLimits> users, int maxConsumersPerChannel, int maxSubscriptionsPerSession,
                     int maxFiltersPerSubscribe) {
    public static final Quotas DEFAULTS =
            new Quotas(VhostLimits.DEFAULTS, Map.of(), UserLimits.DEFAULTS, Map.of(), 1_000, 1_000, 1_000);

    public Quotas {
        Objects.requireNonNull(vhostDefaults, "vhostDefaults");
        Objects.requireNonNull(userDefaults, "userDefaults");
        vhosts = Map.copyOf(vhosts);
        users = Map.copyOf(users);
    }

    /** The limits of {@code vhost}: its own entry, or the defaults. */
    public VhostLimits vhost(String vhost) {
        return vhosts.getOrDefault(vhost, vhostDefaults);
    }

    /** The limits of {@code user}: its own entry, or the defaults. */
    public UserLimits user(String user) {
        return users.getOrDefault(user, userDefaults);
    }
}
