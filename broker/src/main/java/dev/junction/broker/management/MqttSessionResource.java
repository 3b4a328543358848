package dev.junction.broker.management;

import dev.junction.broker.management.Caller.Access;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.auth.MqttTopics;
import dev.junction.routing.queue.Queue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MQTT sessions, which RabbitMQ's API has no view of: {@code GET /api/mqtt/sessions[/{vhost}]} and
 * {@code DELETE /api/mqtt/sessions/{vhost}/{clientId}}. Read from the engine alone, through the documented mapping
 * (docs/interop.md): session {@code c} is queue {@code mqtt.session.c}, each subscription a binding to it whose
 * arguments carry {@code x-mqtt-filter} and the options. Deleting a session deletes its queue, which ends the session
 * exactly as an AMQP queue.delete by an administrator does (a live MQTT 5 client gets DISCONNECT 0x98).
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
        if (!engine.authorization().mqttQueue(v.name(), queue) || v.queue(queue).isEmpty()) {
            throw ApiError.notFound();
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                return ApiResponse.ok(view(v, v.queue(queue).get()));
            }
            case "DELETE" -> {
                caller.require(v.name(), Access.CONFIGURE, queue);
                caller.check(caller.rights(engine, v.name()).queueRefusal(queue));
                entities.deleteQueue(v, queue, false, false);
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    private List<Map<String, Object>> sessions(VirtualHost v) {
        return v.queues().stream()
                .filter(q -> q.name().startsWith(SESSION_PREFIX) && engine.authorization().mqttQueue(v.name(), q.name()))
                .sorted(java.util.Comparator.comparing(Queue::name)).map(q -> view(v, q)).toList();
    }

    private Map<String, Object> view(VirtualHost v, Queue q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost", v.name());
        m.put("client_id", q.name().substring(SESSION_PREFIX.length()));
        m.put("user", engine.authorization().owner(q.name()).orElse(null));
        m.put("connected", q.consumerCount() > 0);
        // A session that may outlive its connection has a durable queue (docs/interop.md).
        m.put("persistent", q.durable());
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
