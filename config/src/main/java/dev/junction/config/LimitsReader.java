package dev.junction.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code limits} section. Needs the vhosts and users, since per-vhost and per-user entries must name
 * declared ones (a typo would otherwise leave a vhost on the defaults without a word).
 */
final class LimitsReader {

    static final List<String> KEYS = List.of("max_connections", "channel_max", "frame_max", "max_message_size",
            "heartbeat", "memory_high_watermark_percent", "max_content_in_flight_bytes", "auth_failure_max_delay_ms",
            "disk_free_limit", "max_retained_messages", "max_retained_bytes", "max_handshaking_connections",
            "max_connections_per_source", "handshake_timeout_ms", "http_idle_timeout_seconds",
            "max_consumers_per_channel", "max_subscriptions_per_session", "max_filters_per_subscribe",
            "consumer_timeout", "vhost_defaults", "vhosts", "user_defaults", "users");
    static final List<String> VHOST_KEYS = List.of("max_connections", "max_queues", "max_exchanges", "max_bindings");
    static final List<String> USER_KEYS = List.of("max_connections", "max_channels");
    private static final int MAX = Integer.MAX_VALUE;

    private LimitsReader() {
    }

    static Limits read(YamlMapping section, List<String> vhosts, List<UserConfig> users) throws ConfigException {
        Admission d = Admission.DEFAULTS;
        Admission admission = new Admission(
                section.integer("max_handshaking_connections", d.maxHandshaking(), 0, MAX),
                section.integer("max_connections_per_source", d.maxPerSource(), 0, MAX),
                // At most 10 s: the AMQP adapter's own handshake deadline is 10 s, so a longer value would not hold.
                Duration.ofMillis(section.integer("handshake_timeout_ms", (int) d.handshakeTimeout().toMillis(),
                        100, 10_000)),
                Duration.ofSeconds(section.integer("http_idle_timeout_seconds",
                        (int) d.httpIdleTimeout().toSeconds(), 1, 86_400)));
        VhostLimits vhostDefaults = vhostLimits(section.section("vhost_defaults", VHOST_KEYS), VhostLimits.DEFAULTS);
        UserLimits userDefaults = userLimits(section.section("user_defaults", USER_KEYS), UserLimits.DEFAULTS);
        Map<String, VhostLimits> perVhost = new LinkedHashMap<>();
        YamlMapping vhostSection = section.section("vhosts", null);
        for (String vhost : vhostSection.keys()) {
            if (!vhosts.contains(vhost)) {
                section.problems().report(vhostSection.errorAtKey(vhost,
                        "vhost '" + vhost + "' is not declared in vhosts (" + ConfigReader.quoted(vhosts) + ")"));
                continue;
            }
            perVhost.put(vhost, vhostLimits(vhostSection.section(vhost, VHOST_KEYS), vhostDefaults));
        }
        Map<String, UserLimits> perUser = new LinkedHashMap<>();
        YamlMapping userSection = section.section("users", null);
        List<String> names = users.stream().map(UserConfig::name).toList();
        for (String user : userSection.keys()) {
            if (!names.contains(user)) {
                section.problems().report(userSection.errorAtKey(user,
                        "unknown user '" + user + "' (users: " + ConfigReader.quoted(names) + ")"));
                continue;
            }
            perUser.put(user, userLimits(userSection.section(user, USER_KEYS), userDefaults));
        }
        Quotas q = Quotas.DEFAULTS;
        Quotas quotas = new Quotas(vhostDefaults, perVhost, userDefaults, perUser,
                section.integer("max_consumers_per_channel", q.maxConsumersPerChannel(), 0, MAX),
                section.integer("max_subscriptions_per_session", q.maxSubscriptionsPerSession(), 0, MAX),
                section.integer("max_filters_per_subscribe", q.maxFiltersPerSubscribe(), 0, MAX));
        return new Limits(
                section.integer("max_connections", 10_000, 0, MAX),
                section.integer("channel_max", 2047, 1, ConfigReader.MAX_PORT),
                section.integer("frame_max", 131_072, 4096, MAX),
                section.longInteger("max_message_size", 16_777_216, 1, ConfigReader.MAX_MESSAGE_SIZE),
                section.integer("heartbeat", 60, 0, ConfigReader.MAX_PORT),
                section.integer("memory_high_watermark_percent", 60, 1, 100),
                section.longInteger("max_content_in_flight_bytes", 67_108_864, 1, Long.MAX_VALUE),
                section.integer("auth_failure_max_delay_ms", 5000, 0, 60_000),
                ConfigReader.diskFreeLimit(section),
                section.longInteger("max_retained_messages", Limits.DEFAULT_MAX_RETAINED_MESSAGES, 0, Long.MAX_VALUE),
                section.longInteger("max_retained_bytes", Limits.DEFAULT_MAX_RETAINED_BYTES, 0, Long.MAX_VALUE),
                admission, quotas,
                // Milliseconds, as RabbitMQ's consumer_timeout; 0 turns the check off.
                section.longInteger("consumer_timeout", Limits.DEFAULT_CONSUMER_TIMEOUT_MS, 0, Long.MAX_VALUE));
    }

    /** A per-vhost entry: keys it leaves out take {@code base}. */
    private static VhostLimits vhostLimits(YamlMapping s, VhostLimits base) throws ConfigException {
        return new VhostLimits(
                s.integer("max_connections", base.maxConnections(), 0, MAX),
                s.integer("max_queues", base.maxQueues(), 0, MAX),
                s.integer("max_exchanges", base.maxExchanges(), 0, MAX),
                s.integer("max_bindings", base.maxBindings(), 0, MAX));
    }

    private static UserLimits userLimits(YamlMapping s, UserLimits base) throws ConfigException {
        return new UserLimits(
                s.integer("max_connections", base.maxConnections(), 0, MAX),
                s.integer("max_channels", base.maxChannels(), 0, MAX));
    }
}
