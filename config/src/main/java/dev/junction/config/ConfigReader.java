package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Turns the composed YAML tree into a {@link JunctionConfig}. Every default lives here, so an empty
 * file and {@link ConfigLoader#defaults()} cannot drift apart. Sections are read in dependency
 * order (vhosts before anything that names a vhost, users before the MQTT anonymous user),
 * whatever their order in the file.
 */
final class ConfigReader {

    static final List<String> TOP_KEYS =
            List.of("listeners", "storage", "vhosts", "users", "limits", "amqp", "mqtt", "logging", "auth",
                    "definitions_file", "amqp10", "cluster");
    static final List<String> LISTENER_NAMES =
            List.of("amqp", "mqtt", "mqtt_ws", "http", "amqps", "mqtts", "mqtt_wss", "amqp10");
    static final List<String> LISTENER_KEYS = List.of("enabled", "bind", "port");
    static final List<String> TLS_LISTENER_KEYS = List.of("enabled", "bind", "port", "tls");
    static final List<String> STORAGE_KEYS =
            List.of("dir", "fsync", "group_commit_max_messages", "group_commit_max_wait_ms",
                    "queue_window_messages", "queue_window_bytes", "compaction");
    static final List<String> LIMITS_KEYS = LimitsReader.KEYS;
    static final List<String> AMQP_KEYS = List.of("default_vhost");
    static final List<String> AMQP10_KEYS = List.of("allow_anonymous", "anonymous_user");
    static final List<String> MQTT_KEYS = List.of("allow_anonymous", "anonymous_user", "max_keepalive",
            "topic_alias_maximum", "receive_maximum", "max_packet_size", "max_inflight", "max_queued_messages",
            "max_session_expiry_seconds", "exchange", "vhost", "per_session_metrics", "sys_interval",
            "durable_queue_type");
    static final List<String> LOGGING_KEYS = LoggingReader.KEYS;

    static final String DEFAULT_VHOST = "/";
    static final int MAX_VHOST_BYTES = 255; // AMQP carries the vhost name as a short string
    static final int MAX_PORT = 65535;
    static final int MAX_MESSAGE_SIZE = 536_870_912;
    static final int MQTT_MAX_PACKET_SIZE = 268_435_455; // largest MQTT Remaining Length
    static final int MAX_SYS_INTERVAL = 86_400; // a day: a longer interval is as good as none
    private static final Set<String> WILDCARD_BINDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

    private ConfigReader() {
    }

    static JunctionConfig read(Node root, String source) throws ConfigException {
        return read(root, source, ConfigProblems.failFast());
    }

    /**
     * Reads the tree, reporting problems to {@code problems}. When it collects, each section is read even after an
     * earlier one failed (those that need an earlier one's result get a neutral fallback: the vhost "/", no
     * users), and the first problem is thrown at the end, so that no config is built from a broken file.
     */
    static JunctionConfig read(Node root, String source, ConfigProblems problems) throws ConfigException {
        YamlMapping top = root == null ? YamlMapping.empty(source, "", 1, problems)
                : topLevel(new YamlValue(root, "", source, problems));

        Listeners listeners = problems.recover(() -> listeners(top.section("listeners", LISTENER_NAMES),
                baseDir(source)), null);
        StorageConfig storage = problems.recover(() -> storage(top.section("storage", STORAGE_KEYS), fileDir(source)),
                null);
        List<String> vhosts = problems.recover(() -> vhosts(top), List.of(DEFAULT_VHOST));
        YamlMapping limitsSection = top.section("limits", LIMITS_KEYS);
        AmqpConfig amqp = problems.recover(() -> new AmqpConfig(declaredVhost(top, top.section("amqp", AMQP_KEYS),
                "default_vhost", vhosts)), new AmqpConfig(vhosts.get(0)));
        List<UserConfig> users = problems.recover(() -> UserReader.read(top, vhosts, amqp.defaultVhost()), List.of());
        Limits limits = problems.recover(() -> LimitsReader.read(limitsSection, vhosts, users), null);
        MqttConfig mqtt = problems.recover(() -> mqtt(top, top.section("mqtt", MQTT_KEYS), vhosts, users), null);
        Amqp10Config amqp10 = problems.recover(() -> amqp10(top.section("amqp10", AMQP10_KEYS), users),
                Amqp10Config.DEFAULT);
        YamlMapping logging = top.section("logging", LOGGING_KEYS);
        LoggingConfig loggingConfig = problems.recover(() -> LoggingReader.read(logging, fileDir(source)),
                new LoggingConfig("info"));
        AuthConfig auth = problems.recover(() -> AuthReader.read(top, users), null);
        // RabbitMQ's load_definitions: a definitions.json imported at every start (docs/management.md).
        Optional<Path> definitions = problems.recover(() -> AuthReader.file(top, "definitions_file"),
                Optional.empty());
        Optional<ClusterConfig> cluster = problems.recover(() -> ClusterReader.read(top, fileDir(source)),
                Optional.empty());
        problems.throwFirst();
        return new JunctionConfig(listeners, storage, vhosts, users, limits, amqp, mqtt,
                loggingConfig, auth, definitions, amqp10, cluster);
    }

    private static YamlMapping topLevel(YamlValue root) throws ConfigException {
        if (!root.isNull() && !root.isMapping()) {
            throw new ConfigException(root.source(), root.line(), "",
                    "the file must be a mapping of sections (" + YamlValue.listOf(TOP_KEYS) + "), got "
                            + root.describe());
        }
        return root.asMapping(TOP_KEYS);
    }

    private record Named(String name, ListenerConfig config, YamlMapping section) {
    }

    /**
     * Relative paths in the file (storage.dir, TLS certificates, key files, definitions_file, the log file) are
     * relative to the file's own directory, not to the working directory: the same file means the same paths
     * whoever starts the broker from wherever (issue 13, item 10).
     */
    private static Path baseDir(String source) {
        try {
            Path parent = Path.of(source).toAbsolutePath().getParent();
            return parent != null ? parent : Path.of("").toAbsolutePath();
        } catch (InvalidPathException notAPath) {
            return Path.of("").toAbsolutePath();
        }
    }

    /**
     * The directory of the config file {@code source} names, or null when it names no file (the built-in defaults, a
     * text read from elsewhere): a relative path then stays relative, to the working directory.
     */
    static Path fileDir(String source) {
        try {
            Path file = Path.of(source);
            return java.nio.file.Files.isRegularFile(file) ? baseDir(source) : null;
        } catch (InvalidPathException notAPath) {
            return null;
        }
    }

    private static Listeners listeners(YamlMapping section, Path baseDir) throws ConfigException {
        List<Named> all = List.of(
                listenerOrOff(section, "amqp", "0.0.0.0", 5672, null),
                listenerOrOff(section, "mqtt", "0.0.0.0", 1883, null),
                listenerOrOff(section, "mqtt_ws", "0.0.0.0", 8083, null),
                listenerOrOff(section, "http", "127.0.0.1", 15672, baseDir),
                listenerOrOff(section, "amqps", "0.0.0.0", 5671, baseDir),
                listenerOrOff(section, "mqtts", "0.0.0.0", 8883, baseDir),
                listenerOrOff(section, "mqtt_wss", "0.0.0.0", 8084, baseDir),
                listenerOrOff(section, "amqp10", Listeners.AMQP10_OFF.bind(), Listeners.AMQP10_OFF.port(), baseDir));
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                checkNoClash(all.get(i), all.get(j));
            }
        }
        return new Listeners(all.get(0).config(), all.get(1).config(), all.get(2).config(), all.get(3).config(),
                all.get(4).config(), all.get(5).config(), all.get(6).config(), all.get(7).config());
    }

    /** One listener; a broken one (when problems are collected) counts as disabled, so it clashes with none. */
    private static Named listenerOrOff(YamlMapping listeners, String name, String bind, int port, Path baseDir)
            throws ConfigException {
        return listeners.problems().recover(() -> listener(listeners, name, bind, port, baseDir),
                new Named(name, new ListenerConfig(false, bind, port, Optional.empty()), null));
    }

    /**
     * One listener; {@code baseDir} is null for the plain listeners, which take no {@code tls} block. The TLS-only
     * listeners (name ending in "s" other than http) default to enabled exactly when they have a {@code tls} block.
     */
    private static Named listener(YamlMapping listeners, String name, String bind, int port, Path baseDir)
            throws ConfigException {
        YamlMapping section = listeners.section(name, baseDir == null ? LISTENER_KEYS : TLS_LISTENER_KEYS);
        String address = section.nonEmptyString("bind", bind);
        if (address.chars().anyMatch(Character::isWhitespace)) {
            throw section.error("bind", "'" + address + "' is not an address (it contains whitespace)");
        }
        Optional<TlsConfig> tls = Optional.empty();
        if (baseDir != null && section.has("tls")) {
            tls = Optional.of(TlsReader.read(section.section("tls", TlsReader.TLS_KEYS), baseDir));
        }
        // AMQP 1.0's own listener is plain or TLS, and off unless asked for: amqp and amqps serve AMQP 1.0 already.
        boolean ownAmqp10 = name.equals("amqp10");
        boolean tlsOnly = baseDir != null && !name.equals("http") && !ownAmqp10;
        boolean enabled = section.bool("enabled", !ownAmqp10 && (!tlsOnly || tls.isPresent()));
        if (tlsOnly && enabled && tls.isEmpty()) {
            throw section.error("enabled", "listeners." + name + " is a TLS listener and needs a tls block"
                    + " (cert_file, key_file, ...)");
        }
        return new Named(name, new ListenerConfig(enabled, address, section.integer("port", port, 0, MAX_PORT), tls),
                section);
    }

    private static void checkNoClash(Named first, Named second) throws ConfigException {
        ListenerConfig a = first.config();
        ListenerConfig b = second.config();
        if (!a.enabled() || !b.enabled() || a.port() == 0 || a.port() != b.port() || !overlap(a.bind(), b.bind())) {
            return;
        }
        // Blame the listener whose port was written down; a default rarely is the mistake.
        Named blamed = second.section().has("port") || !first.section().has("port") ? second : first;
        Named other = blamed == second ? first : second;
        throw blamed.section().error("port", "port " + blamed.config().port() + " on "
                + blamed.config().bind() + " is already used by listeners." + other.name() + " ("
                + other.config().bind() + ":" + other.config().port() + ")");
    }

    // A wildcard bind takes the port on every address, so it clashes with any other bind.
    private static boolean overlap(String a, String b) {
        return a.equalsIgnoreCase(b) || WILDCARD_BINDS.contains(a) || WILDCARD_BINDS.contains(b);
    }

    private static StorageConfig storage(YamlMapping section, Path baseDir) throws ConfigException {
        String dir = section.nonEmptyString("dir", "data");
        Path path;
        try {
            path = baseDir == null ? Path.of(dir) : baseDir.resolve(dir).normalize();
        } catch (InvalidPathException e) {
            throw section.error("dir", "'" + dir + "' is not a valid path: " + e.getReason());
        }
        return new StorageConfig(path,
                section.enumValue("fsync", FsyncMode.GROUP, FsyncMode.class),
                section.integer("group_commit_max_messages", 1000, 1, 1_000_000),
                Duration.ofMillis(section.integer("group_commit_max_wait_ms", 2, 0, 10_000)),
                section.integer("queue_window_messages", 2048, 0, 10_000_000),
                section.longInteger("queue_window_bytes", 8L * 1024 * 1024, 1024, Long.MAX_VALUE),
                section.bool("compaction", StorageConfig.DEFAULT_COMPACTION));
    }

    private static List<String> vhosts(YamlMapping top) throws ConfigException {
        Optional<YamlValue> value = top.get("vhosts");
        if (value.isEmpty()) {
            return List.of(DEFAULT_VHOST);
        }
        List<YamlValue> items = value.get().asList();
        if (items.isEmpty()) {
            throw value.get().error("at least one vhost is required");
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (YamlValue item : items) {
            String name = top.problems().recover(() -> vhostName(item, seen), null);
            if (name != null) {
                seen.put(name, item.line());
            }
        }
        // Only when collecting can every item have been refused; go on as the default vhost would.
        return seen.isEmpty() ? List.of(DEFAULT_VHOST) : new ArrayList<>(seen.keySet());
    }

    private static String vhostName(YamlValue item, Map<String, Integer> seen) throws ConfigException {
        String name = item.asNonEmptyString();
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_VHOST_BYTES) {
            throw item.error("vhost name is longer than " + MAX_VHOST_BYTES + " bytes");
        }
        Integer first = seen.get(name);
        if (first != null) {
            throw item.error("duplicate vhost '" + name + "' (first given at line " + first + ")");
        }
        return name;
    }

    /** A vhost-valued key that must name a declared vhost; defaults to "/". */
    private static String declaredVhost(YamlMapping top, YamlMapping section, String key, List<String> vhosts)
            throws ConfigException {
        String vhost = section.nonEmptyString(key, DEFAULT_VHOST);
        if (vhosts.contains(vhost)) {
            return vhost;
        }
        if (section.has(key)) {
            throw section.error(key, "vhost '" + vhost + "' is not declared in vhosts (" + quoted(vhosts) + ")");
        }
        // The default is fine on its own; it is the vhosts list that took '/' away, so point there.
        throw new ConfigException(top.source(), top.keyLine("vhosts"), section.pathOf(key), "defaults to '"
                + vhost + "', which is not declared in vhosts (" + quoted(vhosts) + "); set it to one of them");
    }

    static String quoted(List<String> names) {
        return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    }

    /** {@code 50MB}, {@code 2GiB}, {@code 1000000} (bytes), or {@code {mem_relative: 1.5}} (times the RAM). */
    static DiskFreeLimit diskFreeLimit(YamlMapping section) throws ConfigException {
        Optional<YamlValue> v = section.get("disk_free_limit");
        if (v.isEmpty() || v.get().isNull()) {
            return DiskFreeLimit.DEFAULT;
        }
        if (v.get().isMapping()) {
            YamlMapping m = v.get().asMapping(List.of("mem_relative"));
            Optional<YamlValue> r = m.get("mem_relative");
            if (r.isEmpty()) {
                throw section.error("disk_free_limit", "expected a size such as 2GB or {mem_relative: 1.0}");
            }
            double ratio;
            try {
                ratio = Double.parseDouble(r.get().asString().trim());
            } catch (NumberFormatException e) {
                ratio = -1;
            }
            if (!(ratio >= 0 && ratio <= 100)) {
                throw m.error("mem_relative", "expected a number between 0 and 100 (a multiple of the RAM)");
            }
            return DiskFreeLimit.relative(ratio);
        }
        long bytes = ByteSize.parse(v.get().asString());
        if (bytes < 0) {
            throw section.error("disk_free_limit", "expected a size such as 50MB, 2GB, 1GiB or a number of bytes, "
                    + "or {mem_relative: 1.0}");
        }
        return DiskFreeLimit.absolute(bytes);
    }

    private static Optional<String> anonymousUser(YamlMapping section, List<UserConfig> users)
            throws ConfigException {
        boolean allowAnonymous = section.bool("allow_anonymous", false);
        Optional<String> anonymousUser = section.optionalString("anonymous_user");
        if (allowAnonymous && anonymousUser.isEmpty()) {
            throw new ConfigException(section.source(), section.lineOf("allow_anonymous"),
                    section.pathOf("anonymous_user"),
                    "required when allow_anonymous is true (name the user whose rights anonymous clients get)");
        }
        if (anonymousUser.isPresent() && users.stream().noneMatch(u -> u.name().equals(anonymousUser.get()))) {
            throw section.error("anonymous_user", "unknown user '" + anonymousUser.get() + "' (users: "
                    + quoted(users.stream().map(UserConfig::name).toList()) + ")");
        }
        return anonymousUser;
    }

    /** The {@code amqp10} section: SASL ANONYMOUS by the same two keys, and the same rules, as MQTT's. */
    private static Amqp10Config amqp10(YamlMapping section, List<UserConfig> users) throws ConfigException {
        Optional<String> anonymousUser = anonymousUser(section, users);
        return new Amqp10Config(section.bool("allow_anonymous", false), anonymousUser);
    }

    private static MqttConfig mqtt(YamlMapping top, YamlMapping section, List<String> vhosts, List<UserConfig> users)
            throws ConfigException {
        boolean allowAnonymous = section.bool("allow_anonymous", false);
        Optional<String> anonymousUser = anonymousUser(section, users);
        return new MqttConfig(allowAnonymous, anonymousUser,
                section.integer("max_keepalive", 65_535, 1, MAX_PORT),
                section.integer("topic_alias_maximum", 16, 0, MAX_PORT),
                section.integer("receive_maximum", 100, 1, MAX_PORT),
                section.integer("max_packet_size", MQTT_MAX_PACKET_SIZE, 1, MQTT_MAX_PACKET_SIZE),
                section.integer("max_inflight", 100, 1, MAX_PORT),
                section.integer("max_queued_messages", 100_000, 1, Integer.MAX_VALUE),
                section.nonEmptyString("exchange", "amq.topic"),
                declaredVhost(top, section, "vhost", vhosts),
                section.longInteger("max_session_expiry_seconds", 86_400, 0, MqttConfig.NEVER_EXPIRE),
                section.bool("per_session_metrics", false),
                section.integer("sys_interval", MqttConfig.DEFAULT_SYS_INTERVAL_SECONDS, 0, MAX_SYS_INTERVAL),
                durableQueueType(top, section));
    }

    /**
     * Quorum by default in a cluster (a session resumes on any node); a broker alone keeps persistent sessions in
     * classic queues whatever the key says, so its footprint stays as it is without a cluster.
     */
    private static MqttConfig.DurableQueueType durableQueueType(YamlMapping top, YamlMapping section)
            throws ConfigException {
        boolean clustered = top.has("cluster");
        MqttConfig.DurableQueueType asked = section.enumValue("durable_queue_type",
                clustered ? MqttConfig.DurableQueueType.QUORUM : MqttConfig.DurableQueueType.CLASSIC,
                MqttConfig.DurableQueueType.class);
        return clustered ? asked : MqttConfig.DurableQueueType.CLASSIC;
    }
}
