package dev.junction.broker.management;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.api.ConnectionRegistry;
import dev.junction.routing.api.ConsumerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Client connections of every protocol, their AMQP channels and consumers, read from the engine's
 * {@link ConnectionRegistry}: {@code /api/connections[/{name}[/channels]]}, {@code /api/vhosts/{vhost}/connections},
 * {@code /api/channels[/{name}]}, {@code /api/vhosts/{vhost}/channels}, {@code /api/consumers[/{vhost}]}, and
 * {@code DELETE /api/connections/{name}} with RabbitMQ's {@code X-Reason} header. Visibility as in RabbitMQ's
 * management plugin: monitoring and administrator users see every connection and channel, other management users
 * only their own; consumers are listed per vhost the caller may see; a connection may be closed by an administrator
 * or by its own user.
 */
final class ConnectionResource {
    /** RabbitMQ's reason when a close request carries no {@code X-Reason}. */
    static final String DEFAULT_REASON = "Closed via management plugin";
    /** How long a list waits for the connections' own threads to report their channels. */
    private static final Duration CHANNELS_WAIT = Duration.ofSeconds(2);

    private final RoutingEngine engine;
    private final EntityResource entities;

    ConnectionResource(RoutingEngine engine, EntityResource entities) {
        this.engine = engine;
        this.entities = entities;
    }

    /** The vhost-scoped paths this resource serves under {@code /api/vhosts}. */
    static boolean handles(ApiRequest r) {
        return r.size() == 3 && r.segment(0).equals("vhosts")
                && (r.segment(2).equals("connections") || r.segment(2).equals("channels"));
    }

    ApiResponse route(ApiRequest r, Caller caller, Router router) {
        if (r.segment(0).equals("vhosts")) {
            requireGet(r);
            String vhost = entities.vhost(r.segment(1)).name();
            caller.requireVisible(vhost);
            Predicate<ConnectionInfo> which = c -> c.vhost().equals(vhost) && visible(caller, c);
            return router.list(r, r.segment(2).equals("connections") ? connections(which) : channels(which));
        }
        return switch (r.segment(0)) {
            case "connections" -> connection(r, caller, router);
            case "channels" -> channel(r, caller, router);
            default -> consumers(r, caller, router);
        };
    }

    private ApiResponse connection(ApiRequest r, Caller caller, Router router) {
        if (r.size() == 1) {
            requireGet(r);
            return router.list(r, connections(c -> visible(caller, c)));
        }
        if (r.size() > 3 || (r.size() == 3 && !r.segment(2).equals("channels"))) {
            throw ApiError.notFound();
        }
        ConnectionInfo info = registry().find(r.segment(1)).orElseThrow(ApiError::notFound);
        if (r.size() == 3) {
            requireGet(r);
            requireVisible(caller, info);
            return router.list(r, channels(c -> c.name().equals(info.name())));
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                requireVisible(caller, info);
                List<Map<String, Object>> one = connections(c -> c.name().equals(info.name()));
                if (one.isEmpty()) {
                    throw ApiError.notFound(); // closed meanwhile
                }
                return ApiResponse.ok(one.get(0));
            }
            case "DELETE" -> {
                // RabbitMQ: an administrator may close any connection, a user its own.
                if (!caller.isAdministrator() && !info.user().equals(caller.name())) {
                    throw ApiError.notAuthorised("User not authorised to access object");
                }
                String reason = r.reason() == null || r.reason().isBlank() ? DEFAULT_REASON : r.reason();
                if (!registry().close(info.name(), reason)) {
                    throw ApiError.notFound();
                }
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    private ApiResponse channel(ApiRequest r, Caller caller, Router router) {
        requireGet(r);
        if (r.size() == 1) {
            return router.list(r, channels(c -> visible(caller, c)));
        }
        if (r.size() != 2) {
            throw ApiError.notFound();
        }
        for (Map<String, Object> ch : channels(c -> visible(caller, c))) {
            if (ch.get("name").equals(r.segment(1))) {
                return ApiResponse.ok(ch);
            }
        }
        throw ApiError.notFound();
    }

    private ApiResponse consumers(ApiRequest r, Caller caller, Router router) {
        requireGet(r);
        if (r.size() > 2) {
            throw ApiError.notFound();
        }
        String vhost = r.size() == 2 ? entities.vhost(r.segment(1)).name() : null;
        if (vhost != null) {
            caller.requireVisible(vhost);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        registry().channels(c -> (vhost == null || c.vhost().equals(vhost)) && caller.canSee(c.vhost()),
                CHANNELS_WAIT).forEach((info, channels) -> channels.forEach(ch -> ch.consumers()
                        .forEach(k -> out.add(consumer(info, ch, k)))));
        return router.list(r, out);
    }

    /** Connections and channels visible to the caller, for {@code /api/overview}'s object totals. */
    Map<String, Object> totals(Caller caller) {
        Map<ConnectionInfo, List<ChannelInfo>> all = registry().channels(c -> visible(caller, c), CHANNELS_WAIT);
        return Map.of("connections", all.size(), "channels", all.values().stream().mapToInt(List::size).sum());
    }

    private List<Map<String, Object>> connections(Predicate<ConnectionInfo> which) {
        List<Map<String, Object>> out = new ArrayList<>();
        registry().channels(which, CHANNELS_WAIT).forEach((info, channels) -> out.add(connection(info, channels)));
        return out;
    }

    private List<Map<String, Object>> channels(Predicate<ConnectionInfo> which) {
        List<Map<String, Object>> out = new ArrayList<>();
        registry().channels(which, CHANNELS_WAIT).forEach((info, channels) -> channels
                .forEach(ch -> out.add(channel(info, ch))));
        return out;
    }

    private ConnectionRegistry registry() {
        return engine.connections();
    }

    private static boolean visible(Caller caller, ConnectionInfo c) {
        return caller.isMonitoring() || c.user().equals(caller.name());
    }

    private static void requireVisible(Caller caller, ConnectionInfo c) {
        if (!visible(caller, c)) {
            throw ApiError.notAuthorised("User not authorised to access object");
        }
    }

    private static void requireGet(ApiRequest r) {
        if (!r.is("GET") && !r.is("HEAD")) {
            throw ApiError.methodNotAllowed();
        }
    }

    // ---- views, with RabbitMQ's field names ---------------------------------------------------------------------

    static Map<String, Object> connection(ConnectionInfo c, List<ChannelInfo> channels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("node", Router.NODE);
        m.put("type", "network");
        m.put("state", "running");
        m.put("protocol", c.protocol().label());
        m.put("user", c.user());
        m.put("user_who_performed_action", c.user());
        m.put("vhost", c.vhost());
        m.put("host", c.host());
        m.put("port", c.port());
        m.put("peer_host", c.peerHost());
        m.put("peer_port", c.peerPort());
        m.put("ssl", c.tls());
        m.put("connected_at", c.connectedAt());
        m.put("timeout", c.timeoutSeconds());
        m.put("channels", channels.size());
        m.put("client_properties", Values.toJson(c.clientProperties()));
        if (c.clientId() != null) {
            m.put("client_id", c.clientId()); // Junction's own: the MQTT client identifier
        }
        return m;
    }

    private static Map<String, Object> connectionDetails(ConnectionInfo c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("peer_host", c.peerHost());
        m.put("peer_port", c.peerPort());
        return m;
    }

    static String channelName(ConnectionInfo c, ChannelInfo ch) {
        return c.name() + " (" + ch.number() + ")";
    }

    static Map<String, Object> channel(ConnectionInfo c, ChannelInfo ch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", channelName(c, ch));
        m.put("node", Router.NODE);
        m.put("number", ch.number());
        m.put("state", "running");
        m.put("user", c.user());
        m.put("user_who_performed_action", c.user());
        m.put("vhost", c.vhost());
        m.put("connection_details", connectionDetails(c));
        m.put("consumer_count", ch.consumers().size());
        m.put("prefetch_count", ch.prefetchCount());
        m.put("messages_unacknowledged", ch.unacknowledged());
        m.put("confirm", ch.confirm());
        m.put("transactional", ch.transactional());
        return m;
    }

    static Map<String, Object> consumer(ConnectionInfo c, ChannelInfo ch, ConsumerInfo consumer) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", channelName(c, ch));
        details.put("number", ch.number());
        details.put("connection_name", c.name());
        details.put("peer_host", c.peerHost());
        details.put("peer_port", c.peerPort());
        details.put("user", c.user());
        details.put("node", Router.NODE);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", Map.of("name", consumer.queue(), "vhost", c.vhost()));
        m.put("consumer_tag", consumer.consumerTag());
        m.put("channel_details", details);
        m.put("ack_required", consumer.ackRequired());
        m.put("prefetch_count", consumer.prefetchCount());
        m.put("exclusive", consumer.exclusive());
        m.put("active", true);
        m.put("activity_status", "up");
        m.put("arguments", Values.toJson(consumer.arguments()));
        return m;
    }
}
