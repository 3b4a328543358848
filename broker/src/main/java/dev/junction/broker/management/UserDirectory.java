package dev.junction.broker.management;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.config.PasswordHash;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.OperatorChanges;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.auth.UserLayers;
import dev.junction.routing.auth.Users;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users the management API sees and edits, over the engine's user directory ({@link Users}), and their
 * persistence. Rules (how file and API users combine: {@link UserLayers}):
 * <ul>
 * <li>At start the users stored by earlier API calls (USER definitions) are loaded, then the YAML file's users are
 * laid over them; a reload lays the new file over them again.</li>
 * <li>A change through the API takes effect at once, for the API and for AMQP and MQTT logins and rights, and what
 * the file does not declare is written to the store, so users created over the API survive a restart. On a cluster
 * node it is committed through the metadata log first and takes effect on every node, this one included, when the
 * node applies the entry; the API answers after this node's apply (docs/cluster.md).</li>
 * <li>Deleting a user deletes its stored definition; a YAML user comes back at the next reload or start.</li>
 * </ul>
 * Stored users always carry a password hash, never a plain password. MQTT topic ACLs are not part of the API and
 * are not stored.
 */
final class UserDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RoutingEngine engine;
    private final Users users;
    private final DefinitionStore store;

    UserDirectory(RoutingEngine engine) {
        this.engine = engine;
        this.users = engine.authorization().users();
        this.store = engine.store().definitions();
    }

    /** At start: the stored API users, then the file's over them, into {@code users}. */
    static void load(Users users, List<UserConfig> configured, DefinitionStore store) {
        Map<String, UserLayers.Stored> stored = new LinkedHashMap<>();
        for (Definition d : store.all()) {
            if (d.kind() == DefinitionKind.USER) {
                try {
                    stored.put(d.name(), decode(d.data()));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring stored user '{}': {}", d.name(), e.getMessage());
                }
            }
        }
        users.load(configured, stored);
    }

    /** A user another node's API stored or deleted, committed by the cluster's metadata log. */
    static void applyReplicated(Users users, Definition d, boolean delete) {
        if (delete) {
            users.remove(d.name());
            return;
        }
        try {
            users.putStored(decode(d.data()));
        } catch (IOException e) {
            LOG.warn("ignoring replicated user '{}': {}", d.name(), e.getMessage());
        }
    }

    Optional<UserConfig> find(String name) {
        return users.find(name);
    }

    Collection<UserConfig> all() {
        return users.all();
    }

    /**
     * Replaces or adds a user, applies it at once and stores what the file does not declare. A cluster node
     * without a leader refuses before it changes anything (docs/cluster.md).
     */
    void put(UserConfig user) {
        refuseWithoutQuorum(user.name());
        UserLayers.Stored stored;
        if (OperatorChanges.committed(engine)) {
            // Committed first; this node's apply of the entry puts it in the directory (applyReplicated).
            stored = users.layered(user);
            await(OperatorChanges.user(engine, definition(user.name(), encode(stored)), false));
        } else {
            stored = users.put(user);
            await(store.put(definition(user.name(), encode(stored))));
        }
        if (stored.overlay()) {
            LOG.info("user '{}' is declared in the config file: what the file declares of it is the file's again at"
                    + " the next reload or restart", user.name());
        }
    }

    boolean delete(String name) {
        refuseWithoutQuorum(name);
        boolean existed;
        if (OperatorChanges.committed(engine)) {
            existed = users.find(name).isPresent();
            await(OperatorChanges.user(engine, definition(name, new byte[0]), true));
        } else {
            existed = users.remove(name);
            await(store.delete(DefinitionKind.USER, "", name));
        }
        if (users.inFile(name)) {
            LOG.info("user '{}' deleted; the config file declares it, so it comes back at the next reload or restart",
                    name);
        }
        return existed;
    }

    /** The hash RabbitMQ exports for a user: the stored one, or a fresh salted hash of a plain YAML password. */
    static String passwordHash(UserConfig u) {
        return u.passwordHash().orElseGet(() -> u.password().map(PasswordHash::create).orElse(""));
    }

    static UserConfig withPermissions(UserConfig u, Map<String, VhostPermission> permissions) {
        return new UserConfig(u.name(), u.password(), u.passwordHash(), u.tags(), u.loopbackOnly(), permissions,
                u.acl(), u.topicPermissions());
    }

    static UserConfig withTopicPermissions(UserConfig u, Map<String, List<TopicPermission>> topics) {
        return new UserConfig(u.name(), u.password(), u.passwordHash(), u.tags(), u.loopbackOnly(), u.permissions(),
                u.acl(), topics);
    }

    private static Definition definition(String name, byte[] data) {
        return new Definition(DefinitionKind.USER, "", name, data);
    }

    private void refuseWithoutQuorum(String name) {
        store.refusal().ifPresent(why -> {
            throw new ApiError(503, "service_unavailable", "cannot change user '" + name + "': " + why);
        });
    }

    private static void await(java.util.concurrent.CompletableFuture<Void> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            throw new ApiError(500, "internal_error", "the user was not saved: " + cause.getMessage());
        }
    }

    private static byte[] encode(UserLayers.Stored stored) {
        UserConfig u = stored.user();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("overlay", stored.overlay());
        m.put("password_hash", passwordHash(u));
        m.put("tags", u.tags());
        m.put("loopback_only", u.loopbackOnly());
        Map<String, Object> perms = new LinkedHashMap<>();
        u.permissions().forEach((v, p) -> perms.put(v, List.of(p.configure().pattern(), p.write().pattern(),
                p.read().pattern())));
        m.put("permissions", perms);
        Map<String, Object> topics = new LinkedHashMap<>();
        u.topicPermissions().forEach((v, list) -> topics.put(v, list.stream()
                .map(t -> List.of(t.exchange(), t.write(), t.read())).toList()));
        m.put("topic_permissions", topics);
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UserLayers.Stored decode(byte[] data) throws IOException {
        Map<String, Object> m = JSON.readValue(data, new TypeReference<Map<String, Object>>() { });
        String hash = (String) m.get("password_hash");
        @SuppressWarnings("unchecked")
        List<String> tags = (List<String>) m.getOrDefault("tags", List.of());
        Map<String, VhostPermission> perms = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, List<String>> storedPerms = (Map<String, List<String>>) m.getOrDefault("permissions", Map.of());
        storedPerms.forEach((v, p) -> perms.put(v, VhostPermission.of(p.get(0), p.get(1), p.get(2))));
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, List<List<String>>> storedTopics =
                (Map<String, List<List<String>>>) m.getOrDefault("topic_permissions", Map.of());
        storedTopics.forEach((v, list) -> {
            List<TopicPermission> l = new ArrayList<>();
            list.forEach(t -> l.add(new TopicPermission(t.get(0), t.get(1), t.get(2))));
            topics.put(v, l);
        });
        boolean overlay = Boolean.TRUE.equals(m.get("overlay"));
        return new UserLayers.Stored(new UserConfig((String) m.get("name"), Optional.empty(),
                overlay || hash == null ? Optional.empty() : Optional.of(hash), tags,
                Boolean.TRUE.equals(m.get("loopback_only")), perms, List.of(), topics), overlay);
    }
}
