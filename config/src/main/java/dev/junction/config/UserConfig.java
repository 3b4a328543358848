package dev.junction.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A broker user. Exactly one of {@code password} and {@code passwordHash} is present in a loaded
 * config. {@code permissions} maps vhost name to what the user may do there; a vhost missing from
 * the map grants nothing. {@code acl} holds the MQTT topic rules (empty = every topic allowed).
 * {@code loopbackOnly} users may only connect from the local machine. {@code topicPermissions} maps vhost name to
 * RabbitMQ-style topic permissions (at most one per exchange); an exchange without one is not restricted by them.
 */
public record UserConfig(String name, Optional<String> password, Optional<String> passwordHash, List<String> tags,
        boolean loopbackOnly, Map<String, VhostPermission> permissions, List<AclRule> acl,
        Map<String, List<TopicPermission>> topicPermissions) {

    /** The tag that grants management rights, such as deleting another user's MQTT session. */
    public static final String ADMINISTRATOR = "administrator";

    /** A user without topic permissions. */
    public UserConfig(String name, Optional<String> password, Optional<String> passwordHash, List<String> tags,
            boolean loopbackOnly, Map<String, VhostPermission> permissions, List<AclRule> acl) {
        this(name, password, passwordHash, tags, loopbackOnly, permissions, acl, Map.of());
    }

    public UserConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(passwordHash, "passwordHash");
        tags = List.copyOf(tags);
        // Keep the file's order for logs and management output.
        permissions = Collections.unmodifiableMap(new LinkedHashMap<>(permissions));
        permissions.forEach((vhost, permission) -> {
            Objects.requireNonNull(vhost, "permissions vhost");
            Objects.requireNonNull(permission, "permissions value");
        });
        acl = List.copyOf(acl);
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>();
        topicPermissions.forEach((vhost, list) -> topics.put(Objects.requireNonNull(vhost, "topic permissions vhost"),
                List.copyOf(list)));
        topicPermissions = Collections.unmodifiableMap(topics);
    }

    /** The topic permissions in {@code vhost} for {@code exchange}, if any. */
    public Optional<TopicPermission> topicPermission(String vhost, String exchange) {
        return topicPermissions.getOrDefault(vhost, List.of()).stream()
                .filter(t -> t.exchange().equals(exchange)).findFirst();
    }

    public boolean isAdministrator() {
        return hasTag(ADMINISTRATOR);
    }

    /**
     * True when {@code candidate} is this user's password. Plain passwords are compared through their
     * SHA-256 so the time taken does not depend on where the strings differ or on their lengths.
     */
    public boolean checkPassword(String candidate) {
        if (candidate == null) {
            return false;
        }
        if (password.isPresent()) {
            return MessageDigest.isEqual(
                    PasswordHash.sha256(password.get().getBytes(StandardCharsets.UTF_8)),
                    PasswordHash.sha256(candidate.getBytes(StandardCharsets.UTF_8)));
        }
        return passwordHash.map(hash -> PasswordHash.verify(hash, candidate)).orElse(false);
    }

    /**
     * Completes when {@link #checkPassword} can answer for {@code candidate} quickly; a slow (PBKDF2) hash is checked
     * on a pool of its own meanwhile, so a network event loop can wait for this instead of computing it.
     */
    public java.util.concurrent.CompletableFuture<Void> preparePasswordCheck(String candidate) {
        return passwordHash.isPresent() && candidate != null ? PasswordHash.prepare(passwordHash.get(), candidate)
                : java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    public Optional<VhostPermission> permissionsFor(String vhost) {
        return Optional.ofNullable(permissions.get(vhost));
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    // Never print secrets, not even a hash, into logs.
    @Override
    public String toString() {
        return "UserConfig[name=" + name + ", password=" + (password.isPresent() ? "<set>" : "<none>")
                + ", passwordHash=" + (passwordHash.isPresent() ? "<set>" : "<none>") + ", tags=" + tags
                + ", loopbackOnly=" + loopbackOnly + ", permissions=" + permissions + ", acl=" + acl + ", topicPermissions=" + topicPermissions + "]";
    }
}
