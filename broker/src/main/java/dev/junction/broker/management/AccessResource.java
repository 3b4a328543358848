package dev.junction.broker.management;

import dev.junction.config.PasswordHash;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.OperatorChanges;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * Vhosts, users, permissions and topic permissions: {@code /api/vhosts[/{name}]}, {@code /api/users[/{name}]},
 * {@code /api/permissions[/{vhost}/{user}]}, {@code /api/topic-permissions[/{vhost}/{user}]}. Changing any of
 * them, and reading users, is for administrators; management users list the vhosts they have permissions in.
 */
final class AccessResource {
    private static final String GUEST = "guest";
    private final RoutingEngine engine;
    private final UserDirectory users;
    private final BrokerControl control;

    AccessResource(RoutingEngine engine, UserDirectory users, BrokerControl control) {
        this.engine = engine;
        this.users = users;
        this.control = control;
    }

    /**
     * {@code POST /api/reload}: re-reads the config file as SIGHUP does (Junction's own; RabbitMQ has none). 200 with
     * what changed, or 400 with the file, line and key of the error while the running configuration stays.
     */
    ApiResponse reload(ApiRequest r, Caller caller) {
        if (r.size() != 1) {
            throw ApiError.notFound();
        }
        if (!r.is("POST")) {
            throw ApiError.methodNotAllowed();
        }
        caller.requireAdministrator();
        ReloadOutcome outcome = control.reload();
        if (!outcome.applied()) {
            throw ApiError.badRequest(outcome.reason());
        }
        return ApiResponse.ok(outcome.json());
    }

    ApiResponse route(ApiRequest r, Caller caller, Router router) {
        return switch (r.segment(0)) {
            case "vhosts" -> vhosts(r, caller, router);
            case "users" -> users(r, caller, router);
            case "permissions" -> permissions(r, caller, router);
            default -> topicPermissions(r, caller, router);
        };
    }

    private ApiResponse vhosts(ApiRequest r, Caller caller, Router router) {
        if (r.size() == 1) {
            requireGet(r);
            return router.list(r, engine.vhosts().stream().filter(v -> caller.canSee(v.name()))
                    .sorted(java.util.Comparator.comparing(VirtualHost::name)).map(router::vhostView).toList());
        }
        if (r.size() == 3 && r.segment(2).equals("permissions") && (r.is("GET") || r.is("HEAD"))) {
            caller.requireAdministrator();
            String vhost = existingVhost(r.segment(1)).name();
            return router.list(r, users.all().stream().filter(u -> u.permissions().containsKey(vhost))
                    .map(u -> Views.permission(u, vhost)).toList());
        }
        if (r.size() != 2) {
            throw ApiError.notFound();
        }
        String name = r.segment(1);
        switch (r.method()) {
            case "GET", "HEAD" -> {
                caller.requireVisible(name);
                return ApiResponse.ok(router.vhostView(existingVhost(name)));
            }
            case "PUT" -> {
                caller.requireAdministrator();
                return ApiResponse.created(putVhost(name));
            }
            case "DELETE" -> {
                caller.requireAdministrator();
                deleteVhost(name);
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    boolean putVhost(String name) {
        if (name.isEmpty()) {
            throw ApiError.badRequest("a vhost needs a name");
        }
        return EntityResource.await(OperatorChanges.createVhost(engine, name));
    }

    /**
     * RabbitMQ's vhost delete: its queues, exchanges and bindings go, its connections are closed, and every user's
     * permissions and topic permissions in it are removed. The MQTT adapter's vhost is refused: MQTT serves it until
     * a restart with another {@code mqtt.vhost}.
     */
    private void deleteVhost(String name) {
        existingVhost(name);
        if (engine.authorization().mqttVhost().filter(name::equals).isPresent()) {
            throw ApiError.badRequest("vhost '" + name + "' is the MQTT vhost (mqtt.vhost); MQTT clients use it until"
                    + " the broker is restarted with another one");
        }
        var deleted = OperatorChanges.deleteVhost(engine, name);
        if (OperatorChanges.committed(engine)) {
            // A cluster node: the vhost goes when the log commits its deletion; nothing else changes before that.
            awaitDeleted(deleted);
        }
        control.closeConnections((user, vhost) -> vhost.equals(name), "vhost '" + name + "' was deleted");
        for (UserConfig u : users.all()) {
            if (u.permissions().containsKey(name) || u.topicPermissions().containsKey(name)) {
                Map<String, VhostPermission> perms = new LinkedHashMap<>(u.permissions());
                perms.remove(name);
                Map<String, List<TopicPermission>> topics = new LinkedHashMap<>(u.topicPermissions());
                topics.remove(name);
                users.put(UserDirectory.withTopicPermissions(UserDirectory.withPermissions(u, perms), topics));
            }
        }
        awaitDeleted(deleted);
    }

    private static void awaitDeleted(java.util.concurrent.CompletableFuture<Boolean> deleted) {
        try {
            deleted.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re; // not committed (a cluster node): the engine's error, as for a queue's deletion
            }
            throw new ApiError(500, "internal_error", "the vhost's queues were not all deleted: " + e.getCause());
        } catch (Exception e) {
            throw new ApiError(500, "internal_error", "the vhost's queues were not all deleted: " + e);
        }
    }

    private VirtualHost existingVhost(String name) {
        return engine.vhost(name).orElseThrow(ApiError::notFound);
    }

    // ---- users --------------------------------------------------------------------------------------------------

    private ApiResponse users(ApiRequest r, Caller caller, Router router) {
        caller.requireAdministrator();
        if (r.size() == 1) {
            requireGet(r);
            return router.list(r, users.all().stream().map(Views::user).toList());
        }
        if (r.size() == 3 && r.segment(2).equals("permissions") && (r.is("GET") || r.is("HEAD"))) {
            UserConfig u = users.find(r.segment(1)).orElseThrow(ApiError::notFound);
            return router.list(r, u.permissions().keySet().stream().map(v -> Views.permission(u, v)).toList());
        }
        if (r.size() != 2) {
            throw ApiError.notFound();
        }
        String name = r.segment(1);
        switch (r.method()) {
            case "GET", "HEAD" -> {
                return ApiResponse.ok(Views.user(users.find(name).orElseThrow(ApiError::notFound)));
            }
            case "PUT" -> {
                return ApiResponse.created(putUser(name, ManagementApi.parseObject(r.body())));
            }
            case "DELETE" -> {
                if (!users.delete(name)) {
                    throw ApiError.notFound();
                }
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    /**
     * A user from RabbitMQ's body: {@code password} (hashed here, PBKDF2) or {@code password_hash} with
     * {@code hashing_algorithm} (RabbitMQ's SHA-256 or SHA-512, or Junction's PBKDF2), and {@code tags}. An empty hash means no password
     * login, as in RabbitMQ. Existing permissions are kept.
     */
    boolean putUser(String name, Map<String, Object> body) {
        if (name.isEmpty()) {
            throw ApiError.badRequest("a user needs a name");
        }
        String hash;
        if (body.get("password") != null) {
            hash = PasswordHash.create(Values.string(body, "password", ""));
        } else if (body.containsKey("password_hash")) {
            String algorithm = Values.string(body, "hashing_algorithm", Views.SHA256);
            if (!Views.HASHING_ALGORITHMS.contains(algorithm)) {
                throw ApiError.badRequest("hashing_algorithm " + algorithm + " is not supported; Junction checks "
                        + String.join(", ", Views.HASHING_ALGORITHMS));
            }
            hash = Values.string(body, "password_hash", "");
            if (!hash.isEmpty() && !Views.hashingAlgorithm(hash).equals(algorithm)) {
                throw ApiError.badRequest("password_hash is not a " + algorithm + " hash");
            }
        } else {
            throw ApiError.badRequest("[{key_missing,password_or_password_hash}]");
        }
        if (!body.containsKey("tags")) {
            throw ApiError.badRequest("[{key_missing,tags}]");
        }
        Optional<UserConfig> old = users.find(name);
        // A new "guest" (a RabbitMQ export carries one, with its well-known password) is loopback-only, as
        // RabbitMQ's default loopback_users makes it; an existing user keeps its own setting.
        users.put(new UserConfig(name, Optional.empty(), Optional.of(hash), Values.tags(body.get("tags")),
                old.map(UserConfig::loopbackOnly).orElse(GUEST.equals(name)),
                old.map(UserConfig::permissions).orElse(Map.of()), old.map(UserConfig::acl).orElse(List.of()),
                old.map(UserConfig::topicPermissions).orElse(Map.of())));
        return old.isEmpty();
    }

    // ---- permissions --------------------------------------------------------------------------------------------

    private ApiResponse permissions(ApiRequest r, Caller caller, Router router) {
        caller.requireAdministrator();
        if (r.size() == 1) {
            requireGet(r);
            List<Map<String, Object>> out = new ArrayList<>();
            users.all().forEach(u -> u.permissions().keySet().forEach(v -> out.add(Views.permission(u, v))));
            return router.list(r, out);
        }
        if (r.size() != 3) {
            throw ApiError.notFound();
        }
        String vhost = r.segment(1);
        existingVhost(vhost);
        UserConfig u = users.find(r.segment(2)).orElseThrow(ApiError::notFound);
        switch (r.method()) {
            case "GET", "HEAD" -> {
                if (!u.permissions().containsKey(vhost)) {
                    throw ApiError.notFound();
                }
                return ApiResponse.ok(Views.permission(u, vhost));
            }
            case "PUT" -> {
                return ApiResponse.created(putPermission(u, vhost, ManagementApi.parseObject(r.body())));
            }
            case "DELETE" -> {
                if (!u.permissions().containsKey(vhost)) {
                    throw ApiError.notFound();
                }
                Map<String, VhostPermission> perms = new LinkedHashMap<>(u.permissions());
                perms.remove(vhost);
                users.put(UserDirectory.withPermissions(u, perms));
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    boolean putPermission(UserConfig u, String vhost, Map<String, Object> body) {
        VhostPermission p;
        try {
            p = VhostPermission.of(Values.required(body, "configure"), Values.required(body, "write"),
                    Values.required(body, "read"));
        } catch (PatternSyntaxException e) {
            throw ApiError.badRequest("invalid regular expression: " + e.getDescription());
        }
        Map<String, VhostPermission> perms = new LinkedHashMap<>(u.permissions());
        boolean created = perms.put(vhost, p) == null;
        users.put(UserDirectory.withPermissions(u, perms));
        return created;
    }

    private ApiResponse topicPermissions(ApiRequest r, Caller caller, Router router) {
        caller.requireAdministrator();
        if (r.size() == 1) {
            requireGet(r);
            List<Map<String, Object>> out = new ArrayList<>();
            users.all().forEach(u -> u.topicPermissions().keySet()
                    .forEach(v -> out.addAll(Views.topicPermissions(u, v))));
            return router.list(r, out);
        }
        if (r.size() != 3) {
            throw ApiError.notFound();
        }
        String vhost = r.segment(1);
        existingVhost(vhost);
        UserConfig u = users.find(r.segment(2)).orElseThrow(ApiError::notFound);
        switch (r.method()) {
            case "GET", "HEAD" -> {
                List<Map<String, Object>> list = Views.topicPermissions(u, vhost);
                if (list.isEmpty()) {
                    throw ApiError.notFound();
                }
                return router.list(r, list);
            }
            case "PUT" -> {
                return ApiResponse.created(putTopicPermission(u, vhost, ManagementApi.parseObject(r.body())));
            }
            case "DELETE" -> {
                if (!u.topicPermissions().containsKey(vhost)) {
                    throw ApiError.notFound();
                }
                Map<String, List<TopicPermission>> topics = new LinkedHashMap<>(u.topicPermissions());
                topics.remove(vhost);
                users.put(UserDirectory.withTopicPermissions(u, topics));
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    boolean putTopicPermission(UserConfig u, String vhost, Map<String, Object> body) {
        TopicPermission t;
        try {
            t = new TopicPermission(Values.required(body, "exchange"), Values.required(body, "write"),
                    Values.required(body, "read"));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>(u.topicPermissions());
        List<TopicPermission> list = new ArrayList<>(topics.getOrDefault(vhost, List.of()));
        boolean created = !list.removeIf(x -> x.exchange().equals(t.exchange()));
        list.add(t);
        topics.put(vhost, list);
        users.put(UserDirectory.withTopicPermissions(u, topics));
        return created;
    }

    private static void requireGet(ApiRequest r) {
        if (!r.is("GET") && !r.is("HEAD")) {
            throw ApiError.methodNotAllowed();
        }
    }
}
