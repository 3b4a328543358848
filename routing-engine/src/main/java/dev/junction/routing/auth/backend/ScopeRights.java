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
 */
final class ScopeRights {
    private static final Pattern NOTHING = Pattern.compile("(?!)");

    private ScopeRights() {
    }

    private record Scope(String kind, String vhost, String resource, String routingKey) {
    }

    static UserConfig user(String name, Collection<String> scopes, String resourceServerId, List<String> vhosts,
            String mqttExchange) {
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
            List<Scope> here = parsed.stream().filter(p -> wildcard(p.vhost()).matcher(vhost).matches()).toList();
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

    private static List<TopicPermission> topicPermissions(List<Scope> scopes, String mqttExchange) {
        Set<String> exchanges = new LinkedHashSet<>();
        for (Scope s : scopes) {
            if (s.routingKey() == null || s.kind().equals("configure")) {
                continue;
            }
            if (!s.resource().contains("*")) {
                exchanges.add(s.resource());
            } else if (wildcard(s.resource()).matcher(mqttExchange).matches()) {
                exchanges.add(mqttExchange);
            }
        }
        List<TopicPermission> out = new ArrayList<>();
        for (String exchange : exchanges) {
            out.add(new TopicPermission(exchange, keys(scopes, "write", exchange), keys(scopes, "read", exchange)));
        }
        return out;
    }

    /** The routing keys scopes of {@code kind} allow on {@code exchange}, as one regex; "" allows none. */
    private static String keys(List<Scope> scopes, String kind, String exchange) {
        List<String> alternatives = new ArrayList<>();
        for (Scope s : scopes) {
            if (s.kind().equals(kind) && wildcard(s.resource()).matcher(exchange).matches()) {
                alternatives.add(s.routingKey() == null ? ".*" : wildcardRegex(s.routingKey()));
            }
        }
        return alternatives.isEmpty() ? "" : "^(?:" + String.join("|", alternatives) + ")$";
    }

    private static Pattern union(List<Scope> scopes, String kind) {
        List<String> alternatives = scopes.stream().filter(s -> s.kind().equals(kind))
                .map(s -> wildcardRegex(s.resource())).distinct().toList();
        return alternatives.isEmpty() ? NOTHING : Pattern.compile("^(?:" + String.join("|", alternatives) + ")$");
    }

    static Pattern wildcard(String pattern) {
        return Pattern.compile(wildcardRegex(pattern));
    }

    /**
     * A RabbitMQ scope wildcard as a regex: {@code *} is any run of characters, the rest is literal. Every other
     * non-alphanumeric character is escaped one by one (not with \\Q...\\E), so that a token's text can neither
     * end a quotation nor be read as a topic-permission variable such as {@code {username}}.
     */
    static String wildcardRegex(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (int ch : pattern.codePoints().toArray()) {
            if (ch == '*') {
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
