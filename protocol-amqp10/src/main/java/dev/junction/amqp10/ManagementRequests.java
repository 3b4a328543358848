package dev.junction.amqp10;

import dev.junction.amqp10.ManagementReply.Status;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.message.Message;

/**
 * RabbitMQ 4's "HTTP over AMQP" requests to the {@code /management} node: the request's {@code subject} is the
 * HTTP method, its {@code to} the resource's path (v2 segments, percent-encoded), its body an {@code amqp-value}
 * map. Each is checked with the permissions 0-9-1 asks for the same operation ({@link Access}) and carried out on
 * the connection's vhost, as the connection's own (its exclusive queues are the connection's):
 * <ul>
 * <li>{@code PUT /queues/:q} declares (201 created, 200 when it existed and is equivalent);
 * {@code GET /queues/:q} reads it; {@code DELETE /queues/:q} deletes it (200 with {@code message_count});
 * {@code DELETE /queues/:q/messages} purges it (200 with {@code message_count});</li>
 * <li>{@code PUT /exchanges/:x} declares, {@code DELETE /exchanges/:x} deletes (204);</li>
 * <li>{@code POST /bindings} binds (204); {@code GET /bindings?src=&dstq=|dste=&key=} lists matching bindings,
 * each with the {@code location} that {@code DELETE} takes; {@code DELETE /bindings/src=;dstq=|dste=;key=;args=}
 * unbinds (204).</li>
 * </ul>
 * Event-loop only; deletes and purges complete later, on the queue's thread. Declarations, deletions and
 * (un)bindings are answered once they have taken effect (the engine's {@code ...Async} calls): at once on a single
 * node, and in a cluster once the metadata log committed them, so that a reply means every node has the change
 * and a node cut off from the majority refuses rather than answers for a change that may be undone
 * (docs/cluster.md, "Linearizable declarations").
 */
final class ManagementRequests {
    /** The queue type RabbitMQ's clients read from {@code type}, and declare with {@code x-queue-type}. */
    private static final String QUORUM = "quorum";
    private final Opened o;

    ManagementRequests(Opened o) {
        this.o = o;
    }

    /** The answer to {@code request}; refusals become their status, never an exception. */
    CompletableFuture<ManagementReply> handle(Message request) {
        try {
            return route(request).exceptionally(e -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                return ManagementReply.refused(cause instanceof RuntimeException r ? r
                        : new IllegalStateException(cause));
            });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ManagementReply.refused(e));
        }
    }

    private CompletableFuture<ManagementReply> route(Message request) {
        String method = request.getSubject() == null ? "" : request.getSubject();
        String to = request.getAddress();
        if (to == null || !to.startsWith("/")) {
            return done(ManagementReply.of(Status.BAD_REQUEST, "no path in 'to'"));
        }
        int q = to.indexOf('?');
        String path = q < 0 ? to : to.substring(0, q);
        String query = q < 0 ? null : to.substring(q + 1);
        String[] p = path.substring(1).split("/", -1);
        Map<String, Object> body = body(request);
        if (p.length == 2 && p[0].equals("queues") && !p[1].isEmpty()) {
            String queue = Address.decode(p[1], to);
            return switch (method) {
                case "PUT" -> declareQueue(queue, body);
                case "GET" -> {
                    o.access().inspect(queue);
                    yield done(ManagementReply.of(Status.OK, queueInfo(o.vhost().queue(queue).orElseThrow(
                            () -> notFound("queue", queue)))));
                }
                case "DELETE" -> deleteQueue(queue);
                default -> notAllowed(method, to);
            };
        }
        if (p.length == 3 && p[0].equals("queues") && p[2].equals("messages") && method.equals("DELETE")) {
            String queue = Address.decode(p[1], to);
            o.access().purge(queue);
            return o.vhost().purgeQueue(queue, o.conn()).thenApply(n -> ManagementReply.of(Status.OK,
                    Map.of("message_count", (long) n)));
        }
        if (p.length == 2 && p[0].equals("exchanges") && !p[1].isEmpty()) {
            String exchange = Address.decode(p[1], to);
            return switch (method) {
                case "PUT" -> declareExchange(exchange, body);
                case "DELETE" -> {
                    o.access().configureExchange(exchange, null);
                    yield o.vhost().deleteExchangeAsync(exchange, false).thenApply(v -> ManagementReply.noContent());
                }
                default -> notAllowed(method, to);
            };
        }
        if (p.length == 1 && p[0].equals("bindings")) {
            return switch (method) {
                case "POST" -> bind(body);
                case "GET" -> done(ManagementReply.of(Status.OK, ManagementBindings.list(o.vhost(),
                        ManagementBindings.fields(query, "&", to))));
                default -> notAllowed(method, to);
            };
        }
        if (p.length == 2 && p[0].equals("bindings") && method.equals("DELETE")) {
            Map<String, String> f = ManagementBindings.fields(p[1], ";", to);
            List<Binding> unbind = new ArrayList<>();
            for (Binding b : ManagementBindings.matching(o.vhost(), f)) {
                if (ManagementBindings.argsId(b.arguments()).equals(f.getOrDefault("args", ""))) {
                    check(b); // every check before the first change
                    unbind.add(b);
                }
            }
            CompletableFuture<?>[] done = unbind.stream().map(b -> o.vhost().unbindAsync(b, o.conn()))
                    .toArray(CompletableFuture<?>[]::new);
            // as RabbitMQ: unbinding what is not bound succeeds
            return CompletableFuture.allOf(done).thenApply(v -> ManagementReply.noContent());
        }
        return done(ManagementReply.of(Status.NOT_FOUND, "no resource '" + to + "'"));
    }

    private CompletableFuture<ManagementReply> declareQueue(String queue, Map<String, Object> body) {
        Map<String, Object> args = arguments(body);
        String dlx = HeaderValues.asString(args.get("x-dead-letter-exchange"));
        o.access().configureQueue(queue);
        if (dlx != null) {
            o.access().deadLetter(queue, dlx);
        }
        boolean existed = o.vhost().queue(queue).isPresent();
        return o.vhost().declareQueueAsync(new QueueSpec(queue, flag(body, "durable", true),
                        flag(body, "exclusive", false), flag(body, "auto_delete", false), args), null, o.conn(), false,
                        name -> { })
                .thenApply(info -> ManagementReply.of(existed ? Status.OK : Status.CREATED, queueInfo(info)));
    }

    private CompletableFuture<ManagementReply> deleteQueue(String queue) {
        o.access().configureQueue(queue);
        boolean existed = o.vhost().queue(queue).isPresent();
        return o.vhost().deleteQueue(queue, false, false, o.conn()).thenApply(n -> {
            if (existed) {
                // an MQTT session queue takes its session along, as a 0-9-1 queue.delete does
                o.server().engine().authorization().deletedOverAmqp(o.vhost().name(), queue);
            }
            return ManagementReply.of(Status.OK, Map.of("message_count", (long) n));
        });
    }

    private CompletableFuture<ManagementReply> declareExchange(String exchange, Map<String, Object> body) {
        Map<String, Object> args = arguments(body);
        o.access().configureExchange(exchange, HeaderValues.asString(args.get("alternate-exchange")));
        Object type = body.get("type");
        return o.vhost().declareExchangeAsync(new ExchangeSpec(exchange, type == null ? "direct" : type.toString(),
                flag(body, "durable", true), flag(body, "auto_delete", false), flag(body, "internal", false), args),
                false).thenApply(x -> ManagementReply.noContent());
    }

    private CompletableFuture<ManagementReply> bind(Map<String, Object> body) {
        Object source = body.get("source");
        Object key = body.get("binding_key");
        Object queue = body.get("destination_queue");
        Object exchange = body.get("destination_exchange");
        if (source == null || (queue == null) == (exchange == null)) {
            return done(ManagementReply.of(Status.BAD_REQUEST, "a binding needs 'source' and one of "
                    + "'destination_queue', 'destination_exchange'"));
        }
        String k = key == null ? "" : key.toString();
        Binding b = queue != null ? Binding.toQueue(source.toString(), queue.toString(), k, arguments(body))
                : Binding.toExchange(source.toString(), exchange.toString(), k, arguments(body));
        check(b);
        return o.vhost().bindAsync(b, o.conn()).thenApply(v -> ManagementReply.noContent());
    }

    private void check(Binding b) {
        if (b.toQueue()) {
            o.access().bind(o.vhost(), b.source(), b.routingKey(), b.destination());
        } else {
            o.access().bindExchange(o.vhost(), b.source(), b.routingKey(), b.destination());
        }
    }

    /** A queue as RabbitMQ 4 describes it: one node, so the leader and only replica is this broker. */
    private Map<String, Object> queueInfo(QueueInfo q) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", q.name());
        m.put("vhost", o.vhost().name());
        m.put("durable", q.spec().durable());
        m.put("auto_delete", q.spec().autoDelete());
        m.put("exclusive", q.spec().exclusive());
        m.put("type", StreamLink.isStream(q.spec()) ? "stream"
                : QUORUM.equals(HeaderValues.asString(q.spec().arguments().get("x-queue-type"))) ? QUORUM : "classic");
        Map<String, Object> args = new LinkedHashMap<>();
        q.spec().arguments().forEach((k, v) -> args.put(k, AmqpValues.toAmqp(v)));
        m.put("arguments", args);
        m.put("leader", Dispatcher.NODE);
        m.put("replicas", new String[] {Dispatcher.NODE});
        m.put("message_count", (long) q.messageCount());
        m.put("consumer_count", q.consumerCount());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(Message request) {
        if (request.getBody() instanceof AmqpValue v && v.getValue() instanceof Map<?, ?> map) {
            Map<String, Object> out = new HashMap<>();
            map.forEach((k, val) -> out.put(String.valueOf(k), val));
            return out;
        }
        return Map.of();
    }

    private static Map<String, Object> arguments(Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (body.get("arguments") instanceof Map<?, ?> args) {
            args.forEach((k, v) -> {
                if (v != null) {
                    out.put(String.valueOf(k), AmqpValues.toEngine(v));
                }
            });
        }
        return out;
    }

    private static boolean flag(Map<String, Object> body, String name, boolean absent) {
        return body.get(name) instanceof Boolean b ? b : absent;
    }

    /** In RabbitMQ's words, which its clients match to tell a missing queue. */
    private Refusal notFound(String kind, String name) {
        return Refusal.link(Condition.NOT_FOUND, "no " + kind + " '" + name + "' in vhost '" + o.vhost().name()
                + "'");
    }

    private static CompletableFuture<ManagementReply> notAllowed(String method, String to) {
        return done(ManagementReply.of(Status.METHOD_NOT_ALLOWED, "method '" + method + "' not allowed on '"
                + to + "'"));
    }

    private static CompletableFuture<ManagementReply> done(ManagementReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
