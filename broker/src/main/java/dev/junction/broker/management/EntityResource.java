package dev.junction.broker.management;

import dev.junction.broker.management.Caller.Access;
import dev.junction.routing.CommittedDeclarations;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Queues, exchanges and bindings: {@code /api/queues[/{vhost}[/{name}[/contents|/get]]]},
 * {@code /api/exchanges[/{vhost}[/{name}[/publish]]]}, {@code /api/bindings[/{vhost}[/e/{x}/{q|e}/{d}[/{props}]]]}.
 * Declarations made here have no owning connection, as in RabbitMQ. On a cluster node the durable ones take effect
 * when the metadata log commits them and are answered after, as a client's are (docs/cluster.md).
 */
final class EntityResource {
    private final RoutingEngine engine;
    private final MessageOps messages;
    private final MessageRates rates;
    private final QuorumPlacement placement;

    /** Without a sampler: {@code message_stats} show the counts, every rate 0. */
    EntityResource(RoutingEngine engine) {
        this(engine, new MessageRates(engine), QuorumPlacement.ALONE);
    }

    EntityResource(RoutingEngine engine, MessageRates rates, QuorumPlacement placement) {
        this.engine = engine;
        this.rates = rates;
        this.placement = placement;
        this.messages = new MessageOps();
    }

    ApiResponse route(ApiRequest r, Caller caller, Router router) {
        String kind = r.segment(0);
        int n = r.size();
        if (n <= 2) {
            requireGet(r);
            if (n == 2) {
                vhost(r.segment(1));
                caller.requireVisible(r.segment(1));
            }
            List<Map<String, Object>> items = new ArrayList<>();
            for (VirtualHost v : engine.vhosts()) {
                if ((n == 1 && caller.canSee(v.name())) || (n == 2 && v.name().equals(r.segment(1)))) {
                    items.addAll(switch (kind) {
                        case "queues" -> queues(v);
                        case "exchanges" -> exchanges(v);
                        default -> bindings(v);
                    });
                }
            }
            items.sort(java.util.Comparator.comparing((Map<String, Object> m) -> (String) m.get("vhost")));
            return router.list(r, items);
        }
        VirtualHost v = vhost(r.segment(1));
        caller.requireVisible(v.name());
        return switch (kind) {
            case "queues" -> queue(r, caller, v);
            case "exchanges" -> exchange(r, caller, v);
            default -> binding(r, caller, v, router);
        };
    }

    VirtualHost vhost(String name) {
        return engine.vhost(name).orElseThrow(ApiError::notFound);
    }

    /** The vhost's classic queues and streams, by name, as RabbitMQ lists every queue type together. */
    List<Map<String, Object>> queues(VirtualHost v) {
        List<Map<String, Object>> out = new ArrayList<>();
        QuorumPlacement.View where = placement.now();
        v.queues().forEach(q -> out.add(queueView(v, q, where)));
        v.streams().all().forEach(s -> out.add(streamView(v, s)));
        out.sort(java.util.Comparator.comparing((Map<String, Object> m) -> (String) m.get("name")));
        return out;
    }

    /** A stream as RabbitMQ shows it, with its {@code message_stats}. */
    Map<String, Object> streamView(VirtualHost v, Stream s) {
        Map<String, Object> m = Views.stream(v, s, Router.NODE);
        m.put("message_stats", rates.stream(s));
        return m;
    }

    /** A queue as RabbitMQ shows it, with its {@code message_stats} (and a quorum queue's leader and members). */
    Map<String, Object> queueView(VirtualHost v, Queue q, QuorumPlacement.View where) {
        Map<String, Object> m = Views.queue(v, q, Router.NODE);
        m.put("message_stats", rates.queue(q));
        where.annotate(m);
        return m;
    }

    List<Map<String, Object>> exchanges(VirtualHost v) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(exchangeView(v, null));
        v.exchanges().stream().filter(x -> !x.name().isEmpty()).sorted(java.util.Comparator.comparing(Exchange::name))
                .forEach(x -> out.add(exchangeView(v, x)));
        return out;
    }

    /** An exchange ({@code x} null: the default one) as RabbitMQ shows it, with its {@code message_stats}. */
    Map<String, Object> exchangeView(VirtualHost v, Exchange x) {
        Map<String, Object> m = x == null ? Views.defaultExchange(v.name()) : Views.exchange(v.name(), x);
        m.put("message_stats", rates.exchange(v, x));
        return m;
    }

    static List<Map<String, Object>> bindings(VirtualHost v) {
        List<Map<String, Object>> out = new ArrayList<>();
        v.queues().stream().sorted(java.util.Comparator.comparing(Queue::name))
                .forEach(q -> out.add(Views.defaultBinding(v.name(), q)));
        v.exchanges().stream().sorted(java.util.Comparator.comparing(Exchange::name))
                .forEach(x -> x.bindings().forEach(b -> out.add(Views.binding(v.name(), b))));
        return out;
    }

    // ---- queues -------------------------------------------------------------------------------------------------

    private ApiResponse queue(ApiRequest r, Caller caller, VirtualHost v) {
        String name = r.segment(2);
        if (r.size() == 4) {
            String action = r.segment(3);
            if (action.equals("contents") && r.is("DELETE")) {
                caller.require(v.name(), Access.READ, name);
                caller.check(caller.rights(engine, v.name()).queueRefusal(name));
                StreamRequests.refusePurge(v, name);
                await(v.purgeQueue(name, null));
                return ApiResponse.noContent();
            }
            if (action.equals("get") && r.is("POST")) {
                caller.require(v.name(), Access.READ, name);
                caller.check(caller.rights(engine, v.name()).queueReadRefusal(name));
                StreamRequests.refuseGet(v, name);
                return ApiResponse.ok(messages.get(v.usableQueue(name, null), ManagementApi.parseObject(r.body())));
            }
            if (action.equals("contents") || action.equals("get")) {
                throw ApiError.methodNotAllowed();
            }
            throw ApiError.notFound();
        }
        if (r.size() != 3) {
            throw ApiError.notFound();
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                Stream s = v.streams().get(name);
                if (s != null) {
                    return ApiResponse.ok(streamView(v, s));
                }
                Queue q = v.queue(name).orElseThrow(ApiError::notFound);
                return ApiResponse.ok(queueView(v, q, placement.now()));
            }
            case "PUT" -> {
                caller.require(v.name(), Access.CONFIGURE, name);
                caller.check(caller.rights(engine, v.name()).queueRefusal(name));
                return ApiResponse.created(declareQueue(v, name, ManagementApi.parseObject(r.body())));
            }
            case "DELETE" -> {
                caller.require(v.name(), Access.CONFIGURE, name);
                caller.check(caller.rights(engine, v.name()).queueRefusal(name));
                deleteQueue(v, name, "true".equals(r.query().get("if-unused")),
                        "true".equals(r.query().get("if-empty")));
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    /**
     * Deletes a queue as queue.delete does; an MQTT session queue takes its session along (a live MQTT 5 client
     * gets DISCONNECT 0x98 Administrative action), since the engine tells the MQTT adapter.
     */
    void deleteQueue(VirtualHost v, String name, boolean ifUnused, boolean ifEmpty) {
        if (v.streams().get(name) != null) { // RabbitMQ deletes a stream whatever if-unused and if-empty say
            await(v.streams().delete(name));
            return;
        }
        v.queue(name).orElseThrow(ApiError::notFound);
        CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
        await(committed != null ? committed.deleteQueue(name, ifUnused, ifEmpty, null)
                : v.deleteQueue(name, ifUnused, ifEmpty, null));
        engine.authorization().deletedOverAmqp(v.name(), name);
    }

    /** Declares a queue from a RabbitMQ body; true when it was created, false when an equivalent one existed. */
    boolean declareQueue(VirtualHost v, String name, Map<String, Object> body) {
        if (name.isEmpty() || name.startsWith("amq.")) {
            throw ApiError.badRequest("queue name '" + name + "' is not allowed: empty names and the amq. prefix "
                    + "are reserved");
        }
        boolean existed = v.queue(name).isPresent() || v.streams().get(name) != null;
        CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
        QueueSpec spec = new QueueSpec(name, Values.bool(body, "durable", true), false,
                Values.bool(body, "auto_delete", false), Values.queueArguments(body, committed != null));
        if (v.streams().handles(spec)) {
            v.streams().declare(spec, null, false, n -> { });
            return !existed;
        }
        Object type = spec.arguments().get("x-queue-type");
        // A quorum queue is declared as a client declares one (x-queue-type), alone or on a cluster node.
        if (type != null && !"classic".equals(type) && !"quorum".equals(type)) {
            throw ApiError.badRequest("queue type '" + type + "' is not supported; Junction has classic and quorum "
                    + "queues and streams");
        }
        if (committed != null) {
            await(committed.declareQueue(spec, null, null, n -> { }));
        } else {
            v.declareQueue(spec, null, false);
        }
        return !existed;
    }

    // ---- exchanges ----------------------------------------------------------------------------------------------

    private ApiResponse exchange(ApiRequest r, Caller caller, VirtualHost v) {
        String name = r.segment(2);
        // RabbitMQ's tools name the default exchange "amq.default" in URLs.
        String engineName = name.equals("amq.default") ? "" : name;
        if (r.size() == 4 && r.segment(3).equals("publish")) {
            if (!r.is("POST")) {
                throw ApiError.methodNotAllowed();
            }
            caller.require(v.name(), Access.WRITE, name);
            Map<String, Object> body = ManagementApi.parseObject(r.body());
            ExchangeType type = engineName.isEmpty() ? ExchangeType.DIRECT
                    : v.exchange(engineName).orElseThrow(ApiError::notFound).type();
            caller.check(caller.rights(engine, v.name()).publishRefusal(engineName, type,
                    Values.required(body, "routing_key")));
            return ApiResponse.ok(messages.publish(v, engineName, body));
        }
        if (r.size() != 3) {
            throw ApiError.notFound();
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                if (engineName.isEmpty()) {
                    return ApiResponse.ok(exchangeView(v, null));
                }
                Exchange x = v.exchange(engineName).orElseThrow(ApiError::notFound);
                return ApiResponse.ok(exchangeView(v, x));
            }
            case "PUT" -> {
                caller.require(v.name(), Access.CONFIGURE, name);
                return ApiResponse.created(declareExchange(v, engineName, ManagementApi.parseObject(r.body())));
            }
            case "DELETE" -> {
                caller.require(v.name(), Access.CONFIGURE, name);
                if (!engineName.isEmpty()) {
                    v.exchange(engineName).orElseThrow(ApiError::notFound);
                }
                boolean ifUnused = "true".equals(r.query().get("if-unused"));
                CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
                if (committed != null) {
                    await(committed.deleteExchange(engineName, ifUnused));
                } else {
                    v.deleteExchange(engineName, ifUnused);
                }
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    boolean declareExchange(VirtualHost v, String name, Map<String, Object> body) {
        if (name.isEmpty() || (name.startsWith("amq.") && v.exchange(name).isEmpty())) {
            throw new ApiError(403, "access_refused", "exchange name '" + name + "' is reserved");
        }
        boolean existed = v.exchange(name).isPresent();
        String type = Values.required(body, "type");
        ExchangeSpec spec = new ExchangeSpec(name, type, Values.bool(body, "durable", true),
                Values.bool(body, "auto_delete", false), Values.bool(body, "internal", false),
                Values.fromJson(body.get("arguments"), "arguments"));
        CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
        if (committed != null) {
            await(committed.declareExchange(spec));
        } else {
            v.declareExchange(spec, false);
        }
        return !existed;
    }

    // ---- bindings -----------------------------------------------------------------------------------------------

    /** {@code /bindings/{vhost}/e/{source}/{q|e}/{destination}[/{properties_key}]}. */
    private ApiResponse binding(ApiRequest r, Caller caller, VirtualHost v, Router router) {
        if (r.size() < 6 || !r.segment(2).equals("e") || !(r.segment(4).equals("q") || r.segment(4).equals("e"))
                || r.size() > 7) {
            throw ApiError.notFound();
        }
        String source = r.segment(3);
        boolean toQueue = r.segment(4).equals("q");
        String destination = r.segment(5);
        if (source.isEmpty() || source.equals("amq.default")) {
            throw new ApiError(403, "access_refused", "operation not permitted on the default exchange");
        }
        v.exchange(source).orElseThrow(ApiError::notFound);
        if (toQueue ? v.queue(destination).isEmpty() : v.exchange(destination).isEmpty()) {
            throw ApiError.notFound();
        }
        List<Binding> between = v.exchange(source).get().bindings().stream()
                .filter(b -> b.toQueue() == toQueue && b.destination().equals(destination)).toList();
        if (r.size() == 6) {
            if (r.is("GET") || r.is("HEAD")) {
                return router.list(r, between.stream().map(b -> Views.binding(v.name(), b)).toList());
            }
            if (!r.is("POST")) {
                throw ApiError.methodNotAllowed();
            }
            Map<String, Object> body = ManagementApi.parseObject(r.body());
            Binding b = bind(caller, v, source, toQueue, destination, Values.string(body, "routing_key", ""),
                    Values.fromJson(body.get("arguments"), "arguments"));
            // RabbitMQ answers 201 with the new binding's URL (relative to the collection) in Location.
            return ApiResponse.created(true).withHeader("Location",
                    Views.propertiesKey(b.routingKey(), b.arguments()));
        }
        String key = r.segment(6);
        Binding found = between.stream()
                .filter(b -> Views.propertiesKey(b.routingKey(), b.arguments()).equals(key))
                .findFirst().orElseThrow(ApiError::notFound);
        switch (r.method()) {
            case "GET", "HEAD" -> {
                return ApiResponse.ok(Views.binding(v.name(), found));
            }
            case "DELETE" -> {
                checkBind(caller, v, source, toQueue, destination, found.routingKey());
                CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
                if (committed != null) {
                    await(committed.unbind(found, null));
                } else {
                    v.unbind(found, null);
                }
                return ApiResponse.noContent();
            }
            default -> throw ApiError.methodNotAllowed();
        }
    }

    Binding bind(Caller caller, VirtualHost v, String source, boolean toQueue, String destination, String routingKey,
                 Map<String, Object> arguments) {
        checkBind(caller, v, source, toQueue, destination, routingKey);
        Binding b = toQueue ? Binding.toQueue(source, destination, routingKey, arguments)
                : Binding.toExchange(source, destination, routingKey, arguments);
        CommittedDeclarations committed = CommittedDeclarations.of(engine, v);
        if (committed != null) {
            await(committed.bind(b, null));
        } else {
            v.bind(b, null);
        }
        return b;
    }

    /**
     * AMQP queue.bind needs write on the destination and read on the source, and the engine's rules for MQTT
     * queues, topic permissions and MQTT ACLs; the API asks the same.
     */
    private void checkBind(Caller caller, VirtualHost v, String source, boolean toQueue, String destination,
                           String routingKey) {
        caller.require(v.name(), Access.WRITE, destination);
        caller.require(v.name(), Access.READ, source);
        var rights = caller.rights(engine, v.name());
        ExchangeType type = v.exchange(source).map(Exchange::type).orElse(ExchangeType.DIRECT);
        caller.check(rights.bindRefusal(source, type, routingKey));
        caller.check(toQueue ? rights.queueRefusal(destination) : rights.indirectWriteRefusal(destination));
    }

    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ApiError(500, "internal_error", String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new ApiError(503, "timeout", "the queue did not answer within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted", "the broker is stopping");
        }
    }

    private static void requireGet(ApiRequest r) {
        if (!r.is("GET") && !r.is("HEAD")) {
            throw ApiError.methodNotAllowed();
        }
    }
}
