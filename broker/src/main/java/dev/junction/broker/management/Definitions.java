package dev.junction.broker.management;

import dev.junction.config.UserConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.NodeRelays;
import dev.junction.routing.policy.PolicyDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ's definitions document: {@code GET /api/definitions} exports, {@code POST /api/definitions} imports
 * (both also per vhost, {@code /api/definitions/{vhost}}, with only that vhost's objects and no users). Import
 * rules, as in RabbitMQ: objects are created or updated, never deleted; the order is vhosts, users, permissions,
 * topic permissions, policies, exchanges, queues, bindings, so later objects find the earlier ones (and queues are
 * created under their policy). Keys Junction does not know (parameters, ...) are reported in the log and skipped,
 * not fatal; so are the policy definition keys it does not implement ({@code ha-mode}, ...). Only durable
 * exchanges and queues are exported, as RabbitMQ does.
 */
final class Definitions {
    private static final Logger LOG = LoggerFactory.getLogger(Definitions.class);
    private static final List<String> KNOWN = List.of("rabbit_version", "rabbitmq_version", "product_name",
            "product_version", "users", "vhosts", "permissions", "topic_permissions", "exchanges", "queues",
            "bindings", "policies");
    /**
     * The fields of each section's objects that the import reads or that RabbitMQ 3.x exports with nothing for
     * Junction to do ({@code limits} and {@code metadata} of a vhost, a user's {@code limits}, a queue's
     * {@code type}, which is classic unless its {@code x-queue-type} argument says otherwise); any other field is
     * reported once per section.
     */
    private static final Map<String, List<String>> FIELDS = Map.of(
            "users", List.of("name", "password", "password_hash", "hashing_algorithm", "tags", "limits"),
            "vhosts", List.of("name", "limits", "metadata", "description", "tags", "tracing", "default_queue_type"),
            "permissions", List.of("user", "vhost", "configure", "write", "read"),
            "topic_permissions", List.of("user", "vhost", "exchange", "write", "read"),
            "policies", List.of("vhost", "name", "pattern", "apply-to", "priority", "definition"),
            "exchanges", List.of("vhost", "name", "type", "durable", "auto_delete", "internal", "arguments"),
            "queues", List.of("vhost", "name", "type", "durable", "auto_delete", "arguments"),
            "bindings", List.of("vhost", "source", "destination", "destination_type", "routing_key", "arguments"));

    private final RoutingEngine engine;
    private final UserDirectory users;
    private final EntityResource entities;
    private final AccessResource access;
    private final PolicyResource policies;

    Definitions(RoutingEngine engine, UserDirectory users, EntityResource entities, AccessResource access,
                PolicyResource policies) {
        this.engine = engine;
        this.users = users;
        this.entities = entities;
        this.access = access;
        this.policies = policies;
    }

    ApiResponse route(ApiRequest r, Caller caller) {
        caller.requireAdministrator();
        if (r.size() > 2) {
            throw ApiError.notFound();
        }
        String vhost = r.size() == 2 ? r.segment(1) : null;
        if (vhost != null) {
            entities.vhost(vhost);
        }
        return switch (r.method()) {
            case "GET", "HEAD" -> ApiResponse.ok(export(vhost));
            case "POST" -> {
                importAll(ManagementApi.parseObject(r.body()), vhost, caller);
                yield ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        };
    }

    Map<String, Object> export(String onlyVhost) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("rabbit_version", "3.10.0");
        d.put("rabbitmq_version", "3.10.0");
        d.put("product_name", "Junction");
        d.put("product_version", Router.version());
        List<VirtualHost> vhosts = engine.vhosts().stream().filter(v -> onlyVhost == null || v.name().equals(onlyVhost))
                .sorted(java.util.Comparator.comparing(VirtualHost::name)).toList();
        if (onlyVhost == null) {
            List<Map<String, Object>> us = new ArrayList<>();
            List<Map<String, Object>> perms = new ArrayList<>();
            List<Map<String, Object>> topics = new ArrayList<>();
            for (UserConfig u : users.all()) {
                Map<String, Object> m = Views.user(u);
                m.remove("tags");
                m.put("tags", u.tags());
                m.remove("limits");
                m.put("limits", Map.of());
                us.add(m);
                u.permissions().keySet().forEach(v -> perms.add(Views.permission(u, v)));
                u.topicPermissions().keySet().forEach(v -> topics.addAll(Views.topicPermissions(u, v)));
            }
            d.put("users", us);
            d.put("vhosts", vhosts.stream().map(v -> (Object) Map.of("name", v.name(), "limits", List.of(),
                    "metadata", Map.of("description", "", "tags", List.of()))).toList());
            d.put("permissions", perms);
            d.put("topic_permissions", topics);
        }
        d.put("parameters", List.of());
        d.put("global_parameters", List.of());
        List<Map<String, Object>> policyList = new ArrayList<>();
        vhosts.forEach(v -> v.policies().list().forEach(p -> policyList.add(PolicyResource.view(v.name(), p))));
        d.put("policies", policyList);
        List<Map<String, Object>> queues = new ArrayList<>();
        List<Map<String, Object>> exchanges = new ArrayList<>();
        List<Map<String, Object>> bindings = new ArrayList<>();
        for (VirtualHost v : vhosts) {
            // A cluster node's relays are the engine's own (docs/cluster.md, "Queues of one node"): not exported.
            v.queues().stream().filter(q -> q.durable() && !q.spec().exclusive() && !NodeRelays.isRelay(q.name()))
                    .sorted(java.util.Comparator.comparing(q -> q.name())).forEach(q -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("name", q.name());
                        m.put("vhost", v.name());
                        m.put("durable", true);
                        m.put("auto_delete", q.spec().autoDelete());
                        m.put("arguments", Values.toJson(q.spec().arguments()));
                        queues.add(m);
                    });
            v.streams().all().stream().sorted(java.util.Comparator.comparing(s -> s.name())).forEach(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", s.name());
                m.put("vhost", v.name());
                m.put("durable", true);
                m.put("auto_delete", false);
                m.put("arguments", Values.toJson(s.spec().arguments()));
                queues.add(m);
            });
            v.exchanges().stream().filter(x -> x.durable() && !x.name().isEmpty() && !x.name().startsWith("amq.")
                            && !x.name().equals(dev.junction.routing.RelayedNames.EXCHANGE))
                    .sorted(java.util.Comparator.comparing(x -> x.name())).forEach(x -> {
                        Map<String, Object> m = Views.exchange(v.name(), x);
                        m.remove("policy");
                        m.remove("effective_policy_definition");
                        exchanges.add(m);
                    });
            v.exchanges().stream().filter(x -> x.durable()).sorted(java.util.Comparator.comparing(x -> x.name()))
                    .forEach(x -> x.bindings().forEach(b -> {
                        boolean durableDestination = b.toQueue()
                                ? v.queue(b.destination()).map(q -> q.durable() && !q.spec().exclusive()
                                        && !NodeRelays.isRelay(q.name())).orElse(false)
                                : v.exchange(b.destination()).map(e -> e.durable()).orElse(false);
                        if (durableDestination) {
                            Map<String, Object> m = Views.binding(v.name(), b);
                            m.remove("properties_key");
                            bindings.add(m);
                        }
                    }));
        }
        d.put("queues", queues);
        d.put("exchanges", exchanges);
        d.put("bindings", bindings);
        if (onlyVhost != null) {
            // A per-vhost export names no vhost in its objects, so it can be imported into another vhost.
            for (List<Map<String, Object>> list : List.of(queues, exchanges, bindings, policyList)) {
                list.forEach(m -> m.remove("vhost"));
            }
        }
        return d;
    }

    /** What an import does with an object it refuses; the API's import (and a single node's start) stops there. */
    interface Refusals {
        Refusals STOP = (what, e) -> {
            throw e;
        };

        /** {@code what} names the object ("queue 'q' in vhost '/'"); throw to stop the import. */
        void refused(String what, RuntimeException e);
    }

    void importAll(Map<String, Object> d, String intoVhost, Caller caller) {
        importAll(d, intoVhost, caller, Refusals.STOP);
    }

    /** The import; each object's refusal goes to {@code refusals}, which stops it or lets it go on with the next. */
    void importAll(Map<String, Object> d, String intoVhost, Caller caller, Refusals refusals) {
        List<String> unknown = d.keySet().stream().filter(k -> !KNOWN.contains(k)
                && !isEmptyList(d.get(k))).toList();
        if (!unknown.isEmpty()) {
            LOG.warn("definitions import by '{}': skipped sections Junction does not support: {}", caller.name(),
                    unknown);
        }
        reportUnknownFields(d, caller);
        if (intoVhost == null) {
            for (Map<String, Object> v : objects(d, "vhosts")) {
                each(refusals, "vhost " + v.get("name"), () -> access.putVhost(Values.required(v, "name")));
            }
            for (Map<String, Object> u : objects(d, "users")) {
                each(refusals, "user " + u.get("name"), () -> access.putUser(Values.required(u, "name"), u));
            }
            for (Map<String, Object> p : objects(d, "permissions")) {
                each(refusals, "permission of user " + p.get("user") + " in vhost " + p.get("vhost"), () -> {
                    UserConfig u = user(Values.required(p, "user"));
                    String vhost = Values.required(p, "vhost");
                    entities.vhost(vhost);
                    access.putPermission(u, vhost, p);
                });
            }
            for (Map<String, Object> p : objects(d, "topic_permissions")) {
                each(refusals, "topic permission of user " + p.get("user") + " in vhost " + p.get("vhost"), () -> {
                    UserConfig u = user(Values.required(p, "user"));
                    String vhost = Values.required(p, "vhost");
                    entities.vhost(vhost);
                    access.putTopicPermission(u, vhost, p);
                });
            }
        }
        for (Map<String, Object> p : objects(d, "policies")) {
            each(refusals, "policy " + p.get("name") + in(p, intoVhost), () -> {
                VirtualHost v = entities.vhost(intoVhost != null ? intoVhost : Values.required(p, "vhost"));
                importPolicy(v, p, caller);
            });
        }
        for (Map<String, Object> x : objects(d, "exchanges")) {
            each(refusals, "exchange " + x.get("name") + in(x, intoVhost), () -> {
                VirtualHost v = entities.vhost(intoVhost != null ? intoVhost : Values.required(x, "vhost"));
                String name = Values.required(x, "name");
                if (!name.isEmpty() && !name.startsWith("amq.")) {
                    entities.declareExchange(v, name, x);
                }
            });
        }
        for (Map<String, Object> q : objects(d, "queues")) {
            each(refusals, "queue " + q.get("name") + in(q, intoVhost), () -> {
                VirtualHost v = entities.vhost(intoVhost != null ? intoVhost : Values.required(q, "vhost"));
                entities.declareQueue(v, Values.required(q, "name"), q);
            });
        }
        for (Map<String, Object> b : objects(d, "bindings")) {
            each(refusals, "binding of " + b.get("source") + " to " + b.get("destination") + in(b, intoVhost), () -> {
                VirtualHost v = entities.vhost(intoVhost != null ? intoVhost : Values.required(b, "vhost"));
                String type = Values.string(b, "destination_type", "queue");
                if (!type.equals("queue") && !type.equals("exchange")) {
                    throw ApiError.badRequest("destination_type must be queue or exchange, got " + type);
                }
                entities.bind(caller, v, Values.required(b, "source"), type.equals("queue"),
                        Values.required(b, "destination"), Values.string(b, "routing_key", ""),
                        Values.fromJson(b.get("arguments"), "arguments"));
            });
        }
    }

    private static void each(Refusals refusals, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            refusals.refused(what, e);
        }
    }

    private static String in(Map<String, Object> object, String intoVhost) {
        return " in vhost " + (intoVhost != null ? intoVhost : object.get("vhost"));
    }

    /**
     * A policy from a definitions file. Keys Junction does not implement are left out with a warning (RabbitMQ
     * exports often carry {@code ha-mode} and the like); a policy with none of its keys left is skipped.
     */
    private void importPolicy(VirtualHost v, Map<String, Object> p, Caller caller) {
        String name = Values.required(p, "name");
        Map<String, Object> body = new LinkedHashMap<>(p);
        if (body.get("definition") instanceof Map<?, ?> definition) {
            Map<String, Object> kept = new LinkedHashMap<>();
            List<String> dropped = new ArrayList<>();
            definition.forEach((k, value) -> {
                if (PolicyDefinition.KEYS.contains(String.valueOf(k))) {
                    kept.put(String.valueOf(k), value);
                } else {
                    dropped.add(String.valueOf(k));
                }
            });
            if (!dropped.isEmpty()) {
                LOG.warn("definitions import by '{}': policy '{}' in vhost '{}': keys Junction does not support "
                        + "left out: {}", caller.name(), name, v.name(), dropped);
            }
            if (kept.isEmpty()) {
                LOG.warn("definitions import by '{}': policy '{}' in vhost '{}' skipped: none of its keys is "
                        + "supported", caller.name(), name, v.name());
                return;
            }
            body.put("definition", kept);
        }
        policies.put(v, name, body);
    }

    /** One warning per section whose objects carry fields the import does not read, naming those fields. */
    private static void reportUnknownFields(Map<String, Object> d, Caller caller) {
        for (String section : KNOWN) {
            List<String> known = FIELDS.get(section);
            if (known == null || !(d.get(section) instanceof List<?> list)) {
                continue;
            }
            java.util.Set<String> unknown = new java.util.TreeSet<>();
            list.stream().filter(o -> o instanceof Map).forEach(o -> ((Map<?, ?>) o).keySet().stream()
                    .map(String::valueOf).filter(k -> !known.contains(k)).forEach(unknown::add));
            if (!unknown.isEmpty()) {
                LOG.warn("definitions import by '{}': fields Junction does not support in {} ignored: {}",
                        caller.name(), section, unknown);
            }
        }
    }

    private UserConfig user(String name) {
        return users.find(name).orElseThrow(() -> ApiError.badRequest("no user '" + name + "' for a permission"));
    }

    private static boolean isEmptyList(Object v) {
        return v instanceof List<?> l && l.isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(Map<String, Object> d, String key) {
        Object v = d.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list) || list.stream().anyMatch(x -> !(x instanceof Map))) {
            throw ApiError.badRequest("'" + key + "' must be a list of objects");
        }
        return (List<Map<String, Object>>) v;
    }
}
