package dev.junction.config;

import java.util.Objects;

/**
 * One MQTT topic ACL rule. A user's rules are tried in order and the first whose action covers the
 * request and whose {@code topic} filter matches decides; a user with no rules may do anything.
 * {@code topic} is an MQTT filter ({@code +}, {@code #}) in which {@code %c} stands for the client id
 * and {@code %u} for the user name.
 */
public record AclRule(AclRule.Permission permission, AclRule.Action action, String topic) {

    public enum Permission { ALLOW, DENY }

    public enum Action { PUBLISH, SUBSCRIBE, ALL }

    public AclRule {
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(topic, "topic");
    }

    /** Whether this rule speaks about {@code requested} ({@link Action#ALL} speaks about both). */
    public boolean covers(Action requested) {
        return action == Action.ALL || action == requested;
    }
}
