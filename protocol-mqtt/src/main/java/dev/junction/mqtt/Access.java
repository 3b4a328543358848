package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.TopicTrie;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** Authentication against the configured users and the per-user MQTT topic ACL. */
final class Access {
    /** Why a CONNECT was refused; mapped to 3.1.1 and 5 CONNACK codes by the caller. */
    enum Refusal { BAD_CREDENTIALS, NOT_AUTHORIZED }

    record Outcome(UserConfig user, Refusal refusal) {
    }

    private final MqttConfig config;
    private final List<UserConfig> users;

    Access(MqttSettings settings) {
        this.config = settings.mqtt();
        this.users = settings.users();
    }

    Outcome authenticate(String userName, byte[] password, InetAddress remote) {
        UserConfig user;
        if (userName == null) {
            if (!config.allowAnonymous() || config.anonymousUser().isEmpty()) {
                return new Outcome(null, Refusal.NOT_AUTHORIZED);
            }
            user = find(config.anonymousUser().get()).orElse(null);
            if (user == null) {
                return new Outcome(null, Refusal.NOT_AUTHORIZED);
            }
        } else {
            user = find(userName).orElse(null);
            String pw = password == null ? null : new String(password, java.nio.charset.StandardCharsets.UTF_8);
            if (user == null || !user.checkPassword(pw)) {
                return new Outcome(null, Refusal.BAD_CREDENTIALS);
            }
        }
        if (user.loopbackOnly() && (remote == null || !remote.isLoopbackAddress())) {
            return new Outcome(null, Refusal.NOT_AUTHORIZED);
        }
        if (user.permissionsFor(config.vhost()).isEmpty()) {
            return new Outcome(null, Refusal.NOT_AUTHORIZED);
        }
        return new Outcome(user, null);
    }

    /**
     * The user's vhost permissions, RabbitMQ-style, for what an MQTT action does in the engine: a publish writes
     * to {@code mqtt.exchange}; a subscription reads from it and configures, writes and reads the client's
     * session queue. Checked on top of the topic ACL.
     */
    boolean permits(UserConfig user, AclRule.Action action, String clientId) {
        VhostPermission p = user.permissionsFor(config.vhost()).orElse(null);
        if (p == null) {
            return false;
        }
        String exchange = config.exchange();
        if (action == AclRule.Action.PUBLISH) {
            return p.canWrite(exchange);
        }
        String queue = TopicMapping.sessionQueue(clientId);
        return p.canRead(exchange) && p.canConfigure(queue) && p.canWrite(queue) && p.canRead(queue);
    }

    private Optional<UserConfig> find(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /**
     * Whether {@code user} may publish to the topic or subscribe to the filter. Rules are tried in order and the
     * first that covers the action and matches decides; a user without rules may do anything, a user with rules
     * none of which matches may not. For SUBSCRIBE the client's filter is matched as if it were a topic, so a
     * rule {@code a/#} allows {@code a/+/b} but a rule {@code a/b} does not allow {@code a/+}.
     */
    static boolean allowed(UserConfig user, AclRule.Action action, String topicOrFilter, String clientId) {
        List<AclRule> acl = user.acl();
        if (acl.isEmpty()) {
            return true;
        }
        for (AclRule rule : acl) {
            if (!rule.covers(action)) {
                continue;
            }
            String pattern = substitute(rule.topic(), clientId, user.name());
            if (pattern != null && matches(pattern, topicOrFilter)) {
                return rule.permission() == AclRule.Permission.ALLOW;
            }
        }
        return false;
    }

    /** Fills in %c and %u; a value that would itself act as a wildcard or level separator disables the rule. */
    private static String substitute(String pattern, String clientId, String userName) {
        if (pattern.contains("%c")) {
            if (unsafe(clientId)) {
                return null;
            }
            pattern = pattern.replace("%c", clientId);
        }
        if (pattern.contains("%u")) {
            if (unsafe(userName)) {
                return null;
            }
            pattern = pattern.replace("%u", userName);
        }
        return pattern;
    }

    private static boolean unsafe(String v) {
        return v == null || v.isEmpty() || v.indexOf('+') >= 0 || v.indexOf('#') >= 0 || v.indexOf('/') >= 0;
    }

    private static boolean matches(String pattern, String topic) {
        try {
            TopicTrie<Boolean> t = new TopicTrie<>();
            t.add(TopicPattern.mqtt(pattern), Boolean.TRUE);
            boolean[] hit = {false};
            t.match(TopicMapping.levels(topic), (p, v) -> hit[0] = true);
            return hit[0];
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
