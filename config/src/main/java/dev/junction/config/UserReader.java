package dev.junction.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/** Reads the {@code users} section: credentials, vhost permissions and MQTT topic ACLs. */
final class UserReader {

    static final List<String> USER_KEYS =
            List.of("name", "password", "password_hash", "tags", "loopback_only", "permissions", "acl",
                    "topic_permissions");
    static final List<String> PERMISSION_KEYS = List.of("configure", "write", "read");
    static final List<String> ACL_KEYS = List.of("permission", "action", "topic");
    static final List<String> TOPIC_PERMISSION_KEYS = List.of("exchange", "write", "read");
    /** The variables RabbitMQ fills into topic permission expressions. */
    private static final java.util.regex.Pattern VARIABLES = java.util.regex.Pattern.compile(
            "\\{(username|vhost|client_id)}");
    private static final int MAX_TOPIC_BYTES = 65_535;

    private UserReader() {
    }

    /**
     * Without a {@code users} key the broker gets RabbitMQ's familiar guest/guest, limited to local
     * connections and given everything on the default vhost. {@code users: []} means no users at all.
     */
    static List<UserConfig> read(YamlMapping top, List<String> vhosts, String defaultVhost) throws ConfigException {
        Optional<YamlValue> section = top.get("users");
        if (section.isEmpty()) {
            return List.of(defaultGuest(defaultVhost));
        }
        List<UserConfig> users = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        ConfigProblems problems = top.problems();
        for (YamlValue item : section.get().asList()) {
            // When problems are collected, a broken user is skipped and the next one read.
            YamlMapping entry = problems.recover(() -> item.asMapping(USER_KEYS), null);
            UserConfig user = entry == null ? null : problems.recover(() -> user(entry, vhosts), null);
            if (user == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(user.name(), entry.lineOf("name"));
            if (first != null) {
                problems.report(entry.error("name", "duplicate user '" + user.name() + "' (first given at line "
                        + first + ")"));
                continue;
            }
            users.add(user);
        }
        return users;
    }

    static UserConfig defaultGuest(String defaultVhost) {
        return new UserConfig("guest", Optional.of("guest"), Optional.empty(), List.of("administrator"), true,
                Map.of(defaultVhost, VhostPermission.all()), List.of());
    }

    private static UserConfig user(YamlMapping entry, List<String> vhosts) throws ConfigException {
        if (!entry.has("name")) {
            throw new ConfigException(entry.source(), entry.line(), entry.pathOf("name"), "every user needs a name");
        }
        String name = entry.nonEmptyString("name", null);
        Optional<String> password = entry.optionalString("password");
        Optional<String> passwordHash = entry.optionalString("password_hash");
        if (password.isPresent() && passwordHash.isPresent()) {
            throw entry.errorAtKey("password_hash", "user '" + name + "' has both password and password_hash; keep one");
        }
        if (password.isEmpty() && passwordHash.isEmpty()) {
            throw new ConfigException(entry.source(), entry.lineOf("name"), entry.path(),
                    "user '" + name + "' needs a password or a password_hash");
        }
        if (password.isPresent() && password.get().isEmpty()) {
            throw entry.error("password", "must not be empty");
        }
        if (passwordHash.isPresent()) {
            checkHash(entry, passwordHash.get());
        }
        List<String> tags = entry.get("tags").isPresent() ? entry.get("tags").get().asStringList() : List.of();
        return new UserConfig(name, password, passwordHash, tags, entry.bool("loopback_only", false),
                permissions(entry, vhosts), acl(entry), topicPermissions(entry, vhosts));
    }

    private static void checkHash(YamlMapping entry, String hash) throws ConfigException {
        // A hash in no known format can never verify, so refuse it now rather than at every login.
        String problem = PasswordHash.problem(hash);
        if (problem != null) {
            throw entry.error("password_hash", problem);
        }
    }

    private static Map<String, VhostPermission> permissions(YamlMapping entry, List<String> vhosts)
            throws ConfigException {
        Optional<YamlValue> section = entry.get("permissions");
        if (section.isEmpty()) {
            return Map.of();
        }
        YamlMapping byVhost = section.get().asMapping(null);
        Map<String, VhostPermission> out = new LinkedHashMap<>();
        for (String vhost : byVhost.keys()) {
            if (!vhosts.contains(vhost)) {
                throw byVhost.errorAtKey(vhost,
                        "vhost '" + vhost + "' is not declared in vhosts (" + ConfigReader.quoted(vhosts) + ")");
            }
            YamlMapping rights = byVhost.section(vhost, PERMISSION_KEYS);
            // A missing right grants nothing, the same as "".
            out.put(vhost, new VhostPermission(
                    regex(rights, "configure"), regex(rights, "write"), regex(rights, "read")));
        }
        return out;
    }

    /**
     * {@code topic_permissions: { VHOST: [ { exchange, write, read }, ... ] }}: RabbitMQ's topic permissions, one
     * entry per exchange. The expressions are checked here with their variables filled by a harmless value, so a
     * bad expression stops the start instead of failing every publish.
     */
    private static Map<String, List<TopicPermission>> topicPermissions(YamlMapping entry, List<String> vhosts)
            throws ConfigException {
        Optional<YamlValue> section = entry.get("topic_permissions");
        if (section.isEmpty()) {
            return Map.of();
        }
        YamlMapping byVhost = section.get().asMapping(null);
        Map<String, List<TopicPermission>> out = new LinkedHashMap<>();
        for (String vhost : byVhost.keys()) {
            if (!vhosts.contains(vhost)) {
                throw byVhost.errorAtKey(vhost,
                        "vhost '" + vhost + "' is not declared in vhosts (" + ConfigReader.quoted(vhosts) + ")");
            }
            List<TopicPermission> list = new ArrayList<>();
            for (YamlValue item : byVhost.get(vhost).get().asList()) {
                YamlMapping tp = item.asMapping(TOPIC_PERMISSION_KEYS);
                if (!tp.has("exchange")) {
                    throw new ConfigException(tp.source(), tp.line(), tp.pathOf("exchange"),
                            "every topic permission needs an exchange");
                }
                String exchange = tp.nonEmptyString("exchange", null);
                if (list.stream().anyMatch(t -> t.exchange().equals(exchange))) {
                    throw tp.error("exchange", "a second topic permission for exchange '" + exchange
                            + "' in vhost '" + vhost + "'; give one per exchange");
                }
                list.add(new TopicPermission(exchange, topicRegex(tp, "write"), topicRegex(tp, "read")));
            }
            out.put(vhost, list);
        }
        return out;
    }

    private static String topicRegex(YamlMapping tp, String key) throws ConfigException {
        String expression = tp.string(key, "");
        try {
            VhostPermission.compile(VARIABLES.matcher(expression).replaceAll("x"));
        } catch (PatternSyntaxException e) {
            throw tp.error(key, "not a valid regular expression: " + e.getDescription() + " in "
                    + YamlValue.quote(expression));
        }
        return expression;
    }

    private static java.util.regex.Pattern regex(YamlMapping rights, String key) throws ConfigException {
        String expression = rights.string(key, "");
        try {
            return VhostPermission.compile(expression);
        } catch (PatternSyntaxException e) {
            throw rights.error(key, "not a valid regular expression: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + " in " + YamlValue.quote(expression));
        }
    }

    private static List<AclRule> acl(YamlMapping entry) throws ConfigException {
        Optional<YamlValue> section = entry.get("acl");
        if (section.isEmpty()) {
            return List.of();
        }
        List<AclRule> rules = new ArrayList<>();
        for (YamlValue item : section.get().asList()) {
            YamlMapping rule = item.asMapping(ACL_KEYS);
            for (String required : List.of("permission", "topic")) {
                if (!rule.has(required)) {
                    throw new ConfigException(rule.source(), rule.line(), rule.pathOf(required),
                            "every acl rule needs a " + required);
                }
            }
            AclRule.Permission permission = rule.enumValue("permission", null, AclRule.Permission.class);
            AclRule.Action action = rule.enumValue("action", AclRule.Action.ALL, AclRule.Action.class);
            String topic = rule.nonEmptyString("topic", null);
            String problem = TopicFilters.problem(topic, MAX_TOPIC_BYTES);
            if (problem != null) {
                throw rule.error("topic", problem);
            }
            rules.add(new AclRule(permission, action, topic));
        }
        return rules;
    }
}
