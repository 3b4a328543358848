package dev.junction.broker.management;

import dev.junction.broker.management.Caller.Access;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.auth.MqttTopics;
import dev.junction.routing.queue.Queue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * MQTT sessions, which RabbitMQ's API has no view of: {@code GET /api/mqtt/sessions[/{vhost}]} and
 * {@code DELETE /api/mqtt/sessions/{vhost}/{clientId}}. Read from the engine alone, through the documented mapping
 * (docs/interop.md): session {@code c} is queue {@code mqtt.session.c}, each subscription a binding to it whose
 * arguments carry {@code x-mqtt-filter} and the options. Deleting a session deletes its queue, which ends the session
 * exactly as an AMQP queue.delete by an administrator does (a live MQTT 5 client gets DISCONNECT 0x98).
 *
 * <p>A session gets its queue with its first subscription (an idle device costs none), so a connected client without
 * one is listed from the connection registry instead, with no subscriptions and nothing queued; whether a session is
 * connected, its protocol version, expiry and will come from the registry too.
 */
final class MqttSessionResource {
    static final String SESSION_PREFIX = "mqtt.session.";

    private final RoutingEngine engine;
    private final EntityResource entities;

    MqttSessionResource(RoutingEngine engine, EntityResource entities) {
        this.engine = engine;
        this.entities = entities;
    }

    ApiResponse route(ApiRequest r, Caller caller, Router router) {
        if (r.size() < 2 || !r.segment(1).equals("sessions") || r.size() > 4) {
            throw ApiError.notFound();
        }
        if (r.size() <= 3) {
            if (!r.is("GET") && !r.is("HEAD")) {
                throw ApiError.methodNotAllowed();
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (VirtualHost v : engine.vhosts()) {
                boolean wanted = r.size() == 2 ? caller.canSee(v.name()) : v.name().equals(r.segment(2));
                if (wanted) {
                    sessions(v).forEach(out::add);
                }
            }
            if (r.size() == 3) {
                entities.vhost(r.segment(2));
                caller.requireVisible(r.segment(2));
            }
            return router.list(r, out);
        }
        VirtualHost v = entities.vhost(r.segment(2));
        caller.requireVisible(v.name());
        String queue = SESSION_PREFIX + r.segment(3);
        Optional<ConnectionInfo> connection = connected(v, r.segment(3));
        if (!engine.authorization().mqttQueue(v.name(), queue) || v.queue(queue).isEmpty() && connection.isEmpty()) {
            throw ApiError.notFound();
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                return ApiResponse.ok(v.queue(queue).map(q -> view(v, q, connection.orElse(null)))
                        .orElseGet(() -> view(v, connection.get())));
            }
            case "DELETE" -> {
                caller.require(v.name(), Access.CONFIGURE, queue);
                caller.check(caller.rights(engine, v.name()).queueRefusal(queue));
                if (v.queue(queue).isPresent()) {
                    entities.deleteQueue(v, queue, false, false);
                } else {
                    // No queue, no subscription: the session is its connection, which ends as an administrator's close.
                    engine.connections().close(connection.get().name(), "MQTT session deleted");
                }
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    private List<Map<String, Object>> sessions(VirtualHost v) {
        Map<String, ConnectionInfo> connected = connected(v);
        TreeMap<String, Map<String, Object>> out = new TreeMap<>();
        for (Queue q : v.queues()) {
            if (q.name().startsWith(SESSION_PREFIX) && engine.authorization().mqttQueue(v.name(), q.name())) {
                String clientId = q.name().substring(SESSION_PREFIX.length());
                out.put(clientId, view(v, q, connected.get(clientId)));
            }
        }
        connected.forEach((clientId, info) -> out.computeIfAbsent(clientId, id -> view(v, info)));
        return new ArrayList<>(out.values());
    }

    /** The MQTT connections of {@code v} by client id (a client id has at most one connection [MQTT-3.1.4-2]). */
    private Map<String, ConnectionInfo> connected(VirtualHost v) {
        Map<String, ConnectionInfo> out = new HashMap<>();
        for (ConnectionInfo c : engine.connections().list()) {
            if (c.clientId() != null && c.vhost().equals(v.name())) {
                out.put(c.clientId(), c);
            }
        }
        return out;
    }

    private Optional<ConnectionInfo> connected(VirtualHost v, String clientId) {
        return Optional.ofNullable(connected(v).get(clientId));
    }

    /** A connected client whose session has no queue yet: it never subscribed, so nothing is queued. */
    private Map<String, Object> view(VirtualHost v, ConnectionInfo c) {
        Map<String, Object> details = engine.connections().sessionDetails(c.name());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", v.name());
        m.put("client_id", c.clientId());
        m.put("user", c.user());
        m.put("connected", true);
        m.put("protocol", c.protocol().label());
        m.put("persistent", ((Number) details.getOrDefault("session_expiry_interval", 0L)).longValue() > 0);
        m.putAll(details);
        m.put("queue", null);
        m.put("messages_queued", 0);
        m.put("messages_in_flight", 0);
        m.put("subscriptions", List.of());
        return m;
    }

    private Map<String, Object> view(VirtualHost v, Queue q, ConnectionInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", v.name());
        m.put("client_id", q.name().substring(SESSION_PREFIX.length()));
        m.put("user", engine.authorization().owner(q.name()).orElse(null));
        m.put("connected", c != null);
        if (c != null) {
            m.put("protocol", c.protocol().label());
        }
        // A session that may outlive its connection has a durable queue (docs/interop.md).
        m.put("persistent", q.durable());
        if (c != null) {
            m.putAll(engine.connections().sessionDetails(c.name()));
        }
        m.put("queue", q.name());
        m.put("messages_queued", q.messageCount());
        m.put("messages_in_flight", q.unackedCount());
        List<Map<String, Object>> subs = new ArrayList<>();
        // The queue's own bindings (a reverse index): listing n sessions costs their subscriptions, not n times
        // every binding of the vhost.
        for (Binding b : v.bindingsTo(true, q.name())) {
            if (b.arguments().containsKey("x-mqtt-filter")) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("filter", MqttTopics.toFilter(b.routingKey()));
                s.put("qos", Values.toJson(b.arguments().get("x-mqtt-qos")));
                s.put("no_local", Values.toJson(b.arguments().getOrDefault("x-mqtt-no-local", false)));
                s.put("retain_as_published",
                        Values.toJson(b.arguments().getOrDefault("x-mqtt-retain-as-published", false)));
                Object id = b.arguments().get("x-mqtt-subscription-id");
                if (id != null) {
                    s.put("subscription_identifier", Values.toJson(id));
                }
                subs.add(s);
            }
        }
        m.put("subscriptions", subs);
        return m;
    }
}
