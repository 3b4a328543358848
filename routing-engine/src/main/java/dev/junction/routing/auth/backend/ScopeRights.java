package dev.junction.routing.auth.backend;

import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RabbitMQ's OAuth 2.0 scopes turned into a Junction user. A scope is {@code <resource_server_id>.<what>}, where
 * {@code <what>} is one of
 * <ul>
 *   <li>{@code configure:<vhost>/<resource>}, {@code write:<vhost>/<resource>[/<routing key>]},
 *       {@code read:<vhost>/<resource>[/<routing key>]}: the vhost permission of that kind on resources (exchange and
 *       queue names) matching {@code <resource>} in the vhosts matching {@code <vhost>};</li>
 *   <li>{@code tag:<tag>}: a user tag, such as {@code administrator}.</li>
 * </ul>
 * Patterns are RabbitMQ's wildcards: {@code *} matches any run of characters, everything else itself, and the whole
 * name must match. Scopes of other resource servers are ignored. Several scopes of one kind add up.
 *
 * <p>Routing keys (topic rights): a {@code write} or {@code read} scope with a routing key pattern limits the topic
 * permission on the exchanges it names: each exchange named literally, and the MQTT exchange when the resource
 * pattern matches it (so MQTT publish and subscribe are limited too; an MQTT topic {@code a/b} is the routing key
 * {@code a.b}). On such an exchange, a scope without a routing key pattern allows every key.
 *
 * <p>Variables, as RabbitMQ's OAuth 2.0 plugin expands them (in the vhost, resource and routing key parts alike):
 * {@code {vhost}} is the vhost being granted, {@code {<claim>}} the value of any claim of the token whose value is
 * a string (such as {@code {sub}} or {@code {client_id}}), and {@code {username}} the user's name when the token has
 * no claim of that name. A value matches itself only: a {@code *} or regex character in it is literal. A variable
 * with no value stays as written and matches itself.
 */
final class ScopeRights {
    private static final Pattern NOTHING = Pattern.compile("(?!)");
    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z0-9_.:-]+)}");

    private ScopeRights() {
    }

    /** A scope as written: its patterns may hold variables. */
    private record Scope(String kind, String vhost, String resource, String routingKey) {
    }

    /**
     * A scope for one vhost, its variables filled in: the patterns as regexes, the resource also as the exchange it
     * names literally (null when it has a wildcard).
     */
    private record Grant(String kind, String resource, String literalResource, String routingKey) {
    }

    /** Without claims: only {@code {vhost}} and {@code {username}} have values. */
    static UserConfig user(String name, Collection<String> scopes, String resourceServerId, List<String> vhosts,
            String mqttExchange) {
        return user(name, scopes, Map.of(), resourceServerId, vhosts, mqttExchange);
    }

    /** {@code claims}: the token's claims whose values are strings, for the variables in the scopes. */
    static UserConfig user(String name, Collection<String> scopes, Map<String, String> claims, String resourceServerId,
            List<String> vhosts, String mqttExchange) {
        String prefix = resourceServerId + ".";
        List<String> tags = new ArrayList<>();
        List<Scope> parsed = new ArrayList<>();
        for (String s : scopes) {
            if (!s.startsWith(prefix)) {
                continue;
            }
            String rest = s.substring(prefix.length());
            int colon = rest.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String kind = rest.substring(0, colon);
            String arg = rest.substring(colon + 1);
            if (kind.equals("tag")) {
                if (!arg.isEmpty()) {
                    tags.add(arg);
                }
                continue;
            }
            if (!kind.equals("configure") && !kind.equals("write") && !kind.equals("read")) {
                continue;
            }
            String[] parts = arg.split("/", 3);
            if (parts.length < 2) {
                continue;
            }
            parsed.add(new Scope(kind, parts[0], parts[1], parts.length == 3 ? parts[2] : null));
        }
        Map<String, VhostPermission> permissions = new LinkedHashMap<>();
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>();
        for (String vhost : vhosts) {
            Map<String, String> vars = new java.util.HashMap<>(claims);
            vars.putIfAbsent("username", name);
            vars.put("vhost", vhost);
            List<Grant> here = parsed.stream()
                    .filter(p -> Pattern.compile(regex(p.vhost(), vars)).matcher(vhost).matches())
                    .map(p -> new Grant(p.kind(), regex(p.resource(), vars), literal(p.resource(), vars),
                            p.routingKey() == null ? null : regex(p.routingKey(), vars)))
                    .toList();
            if (here.isEmpty()) {
                continue;
            }
            permissions.put(vhost, new VhostPermission(union(here, "configure"), union(here, "write"),
                    union(here, "read")));
            List<TopicPermission> perVhost = topicPermissions(here, mqttExchange);
            if (!perVhost.isEmpty()) {
                topics.put(vhost, perVhost);
            }
        }
        return new UserConfig(name, Optional.empty(), Optional.empty(), tags, false, permissions, List.of(), topics);
    }

    private static List<TopicPermission> topicPermissions(List<Grant> grants, String mqttExchange) {
        Set<String> exchanges = new LinkedHashSet<>();
        for (Grant g : grants) {
            if (g.routingKey() == null || g.kind().equals("configure")) {
                continue;
            }
            if (g.literalResource() != null) {
                exchanges.add(g.literalResource());
            } else if (Pattern.compile(g.resource()).matcher(mqttExchange).matches()) {
                exchanges.add(mqttExchange);
            }
        }
        List<TopicPermission> out = new ArrayList<>();
        for (String exchange : exchanges) {
            out.add(new TopicPermission(exchange, keys(grants, "write", exchange), keys(grants, "read", exchange)));
        }
        return out;
    }

    /** The routing keys grants of {@code kind} allow on {@code exchange}, as one regex; "" allows none. */
    private static String keys(List<Grant> grants, String kind, String exchange) {
        List<String> alternatives = new ArrayList<>();
        for (Grant g : grants) {
            if (g.kind().equals(kind) && Pattern.compile(g.resource()).matcher(exchange).matches()) {
                alternatives.add(g.routingKey() == null ? ".*" : g.routingKey());
            }
        }
        return alternatives.isEmpty() ? "" : "^(?:" + String.join("|", alternatives) + ")$";
    }

    private static Pattern union(List<Grant> grants, String kind) {
        List<String> alternatives = grants.stream().filter(g -> g.kind().equals(kind)).map(Grant::resource)
                .distinct().toList();
        return alternatives.isEmpty() ? NOTHING : Pattern.compile("^(?:" + String.join("|", alternatives) + ")$");
    }

    static Pattern wildcard(String pattern) {
        return Pattern.compile(wildcardRegex(pattern));
    }

    /** A scope pattern as a regex, its variables filled in with {@code vars} (each value matching itself only). */
    static String regex(String pattern, Map<String, String> vars) {
        StringBuilder sb = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int at = 0;
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value != null) {
                sb.append(escape(pattern.substring(at, m.start()), true)).append(escape(value, false));
                at = m.end();
            }
        }
        return sb.append(escape(pattern.substring(at), true)).toString();
    }

    /** The name a pattern without wildcards names, its variables filled in; null when it has a wildcard. */
    private static String literal(String pattern, Map<String, String> vars) {
        StringBuilder name = new StringBuilder();
        Matcher m = VARIABLE.matcher(pattern);
        int at = 0;
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value != null) {
                String before = pattern.substring(at, m.start());
                if (before.contains("*")) {
                    return null;
                }
                name.append(before).append(value); // a '*' in a value is no wildcard
                at = m.end();
            }
        }
        String rest = pattern.substring(at);
        return rest.contains("*") ? null : name.append(rest).toString();
    }

    /**
     * A RabbitMQ scope wildcard as a regex: {@code *} is any run of characters, the rest is literal. Every other
     * non-alphanumeric character is escaped one by one (not with \\Q...\\E), so that a token's text can neither
     * end a quotation nor be read as a topic-permission variable such as {@code {username}}.
     */
    static String wildcardRegex(String pattern) {
        return escape(pattern, true);
    }

    /** {@code text} as a regex matching itself, except that {@code *} is any run of characters when {@code wild}. */
    private static String escape(String text, boolean wild) {
        StringBuilder sb = new StringBuilder();
        for (int ch : text.codePoints().toArray()) {
            if (ch == '*' && wild) {
                sb.append(".*");
            } else if (Character.isLetterOrDigit(ch)) {
                sb.appendCodePoint(ch);
            } else if (ch < 0x80) {
                sb.append('\\').append((char) ch);
            } else {
                sb.append(String.format("\\x{%x}", ch));
            }
        }
        return sb.toString();
    }
}
