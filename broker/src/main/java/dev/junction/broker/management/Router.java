package dev.junction.broker.management;

import dev.junction.config.JunctionConfig;
import dev.junction.routing.MemoryAlarm;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps RabbitMQ's URL shapes onto the resources. Every path needs an authenticated management user; lists are
 * filtered to the vhosts the caller may see and then shaped by {@code sort}, {@code sort_reverse} and
 * {@code columns} as RabbitMQ does.
 */
final class Router {
    static final String NODE = "junction@localhost";

    private final RoutingEngine engine;
    private final UserDirectory users;
    private final EntityResource objects;
    private final AccessResource access;
    private final Definitions definitions;
    private final MqttSessionResource mqttSessions;
    private final ConnectionResource connections;
    private final PolicyResource policies;
    private final MessageRates rates;
    private final AlivenessCheck aliveness;
    private final ClusterResource cluster;

    Router(RoutingEngine engine, UserDirectory users, JunctionConfig config, BrokerControl control,
           MessageRates rates) {
        this.engine = engine;
        this.users = users;
        this.rates = rates;
        this.aliveness = new AlivenessCheck(engine);
        this.cluster = new ClusterResource(control, engine);
        this.objects = new EntityResource(engine, rates, new QuorumPlacement(control));
        this.access = new AccessResource(engine, users, control);
        this.mqttSessions = new MqttSessionResource(engine, objects);
        this.connections = new ConnectionResource(engine, objects);
        this.policies = new PolicyResource(engine, objects);
        this.definitions = new Definitions(engine, users, objects, access, policies);
    }

    ApiResponse route(ApiRequest r) {
        return route(r, null);
    }

    /** {@code login}: the auth backends' verdict on the request's credentials (null: the users are asked here). */
    ApiResponse route(ApiRequest r, dev.junction.routing.auth.backend.Verdict login) {
        Caller caller = Caller.authenticate(r, users, engine, login);
        if (r.size() == 0) {
            throw ApiError.notFound();
        }
        String top = r.segment(0);
        int n = r.size();
        if (ConnectionResource.handles(r)) {
            return connections.route(r, caller, this); // /api/vhosts/{vhost}/connections and .../channels
        }
        return switch (top) {
            case "overview" -> get(r, n == 1, () -> ApiResponse.ok(overview(caller)));
            case "whoami" -> get(r, n == 1, () -> ApiResponse.ok(Map.of("name", caller.name(),
                    "tags", caller.user().tags())));
            case "nodes" -> get(r, n == 1, () -> {
                caller.requireMonitoring();
                return list(r, List.of(Map.of("name", NODE, "type", "disc", "running", true,
                        "mem_used", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory())));
            });
            case "health" -> get(r, n == 3 && r.segment(1).equals("checks") && r.segment(2).equals("alarms"),
                    this::alarms);
            case "connections", "channels", "consumers" -> connections.route(r, caller, this);
            case "vhosts", "users", "permissions", "topic-permissions" -> access.route(r, caller, this);
            case "reload" -> access.reload(r, caller);
            case "queues", "exchanges", "bindings" -> objects.route(r, caller, this);
            case "definitions" -> definitions.route(r, caller);
            case "mqtt" -> mqttSessions.route(r, caller, this);
            case "policies" -> policies.route(r, caller, this);
            case "aliveness-test" -> aliveness.route(r, caller);
            case "cluster" -> cluster.route(r, caller);
            default -> throw ApiError.notFound();
        };
    }

    private static ApiResponse get(ApiRequest r, boolean pathMatches, java.util.function.Supplier<ApiResponse> f) {
        if (!pathMatches) {
            throw ApiError.notFound();
        }
        if (!r.is("GET") && !r.is("HEAD")) {
            throw ApiError.methodNotAllowed();
        }
        return f.get();
    }

    private Map<String, Object> overview(Caller caller) {
        long ready = 0;
        long unacked = 0;
        int queues = 0;
        int exchanges = 0;
        int consumers = 0;
        for (VirtualHost v : engine.vhosts()) {
            if (!caller.canSee(v.name())) {
                continue;
            }
            exchanges += v.exchanges().size() + 1;
            for (var q : v.queues()) {
                queues++;
                var counts = q.counts(); // one moment's, so that messages = ready + unacked per queue
                ready += counts.ready();
                unacked += counts.unacked();
                consumers += counts.consumers();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("management_version", "3.10.0");
        m.put("rabbitmq_version", "3.10.0");
        m.put("product_name", "Junction");
        m.put("product_version", version());
        m.put("cluster_name", NODE);
        m.put("node", NODE);
        m.put("queue_totals", Map.of("messages", ready + unacked, "messages_ready", ready,
                "messages_unacknowledged", unacked));
        Map<String, Object> totals = new LinkedHashMap<>(Map.of("queues", queues, "exchanges", exchanges,
                "consumers", consumers));
        totals.putAll(connections.totals(caller));
        m.put("object_totals", totals);
        m.put("message_stats", rates.vhosts(engine.vhosts().stream().map(VirtualHost::name)
                .filter(caller::canSee).toList()));
        m.put("dead_lettered", deadLettered(engine.vhosts().stream().filter(v -> caller.canSee(v.name())).toList()));
        return m;
    }

    /**
     * Junction's own {@code dead_lettered}: messages the vhosts' queues handed to their dead-letter exchange since
     * start, by RabbitMQ's reason, every reason present (0 when it never happened).
     */
    private Map<String, Object> deadLettered(List<VirtualHost> vhosts) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String reason : List.of("rejected", "expired", "maxlen")) {
            long n = 0;
            for (VirtualHost v : vhosts) {
                n += engine.stats(v).deadLettered().getOrDefault(reason, 0L);
            }
            out.put(reason, n);
        }
        return out;
    }

    /** A vhost as RabbitMQ shows it, with its {@code message_stats}. */
    Map<String, Object> vhostView(VirtualHost v) {
        Map<String, Object> m = Views.vhost(v);
        m.put("message_stats", rates.vhosts(List.of(v.name())));
        m.put("dead_lettered", deadLettered(List.of(v)));
        return m;
    }

    static String version() {
        String v = Router.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /**
     * RabbitMQ's alarm health check: 200 {"status":"ok"} without alarms, else 503 with the alarms in effect.
     */
    private ApiResponse alarms() {
        List<Map<String, Object>> alarms = new ArrayList<>();
        MemoryAlarm memory = engine.memoryAlarm();
        if (memory.raised(MemoryAlarm.Resource.MEMORY)) {
            alarms.add(Map.of("node", NODE, "resource", "memory"));
        }
        if (engine.diskAlarm().raised()) {
            alarms.add(Map.of("node", NODE, "resource", "disk"));
        }
        if (alarms.isEmpty()) {
            return ApiResponse.ok(Map.of("status", "ok"));
        }
        return ApiResponse.json(503, Map.of("status", "failed", "reason",
                "There are alarms in effect in the cluster", "alarms", alarms));
    }

    /** A JSON list shaped by the query: sort by a (dotted) field, reverse, keep only the listed columns. */
    ApiResponse list(ApiRequest r, List<Map<String, Object>> items) {
        List<Map<String, Object>> out = new ArrayList<>(items);
        String sort = r.query().get("sort");
        if (sort != null && !sort.isEmpty()) {
            out.sort(Comparator.comparing(m -> sortKey(field(m, sort))));
        }
        if ("true".equals(r.query().get("sort_reverse"))) {
            java.util.Collections.reverse(out);
        }
        String columns = r.query().get("columns");
        if (columns != null && !columns.isEmpty()) {
            List<Map<String, Object>> shaped = new ArrayList<>();
            for (Map<String, Object> m : out) {
                Map<String, Object> s = new LinkedHashMap<>();
                for (String c : columns.split(",")) {
                    Object v = field(m, c);
                    if (v != null) {
                        put(s, c, v);
                    }
                }
                shaped.add(s);
            }
            out = shaped;
        }
        return ApiResponse.ok(out);
    }

    private static Object field(Map<String, Object> m, String dotted) {
        Object cur = m;
        for (String part : dotted.split("\\.")) {
            if (!(cur instanceof Map<?, ?> map)) {
                return null;
            }
            cur = map.get(part);
        }
        return cur;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> target, String dotted, Object v) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> cur = target;
        for (int i = 0; i < parts.length - 1; i++) {
            cur = (Map<String, Object>) cur.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        }
        cur.put(parts[parts.length - 1], v);
    }

    /** Numbers sort numerically and before text; missing values first. */
    private static String sortKey(Object v) {
        if (v instanceof Number n) {
            return String.format("0%030.6f", n.doubleValue());
        }
        return v == null ? "" : "1" + v;
    }
}
