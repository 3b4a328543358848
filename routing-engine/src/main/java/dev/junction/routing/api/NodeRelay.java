package dev.junction.routing.api;

import dev.junction.routing.RelayedNames;
import dev.junction.routing.ReplicatedExchange;
import dev.junction.routing.VhostPublishing;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vhost's relay on a cluster node: how a message published on another node reaches the queues this node alone
 * has (transient and exclusive classic queues: an MQTT clean session's, an AMQP 0-9-1 subscriber's server-named
 * exclusive queue, an AMQP 1.0 topic link's), whose bindings are not replicated (docs/cluster.md, "Queues of one
 * node").
 *
 * <p>The node has one quorum queue per vhost, {@code junction.relay.<node id>}, bound from every durable exchange
 * with each binding key (and header arguments) that one of those queues is bound with, once however many queues
 * share it. The bindings are replicated, so any other node routes a matching publish into the relay as into a
 * quorum queue (a publisher confirm or MQTT PUBACK once a majority has it). This node consumes the relay and routes
 * each message again from its exchange, into those queues only ({@link VhostPublishing#publishHere}); nothing routed
 * on this node goes into its own relay. So each message reaches each queue once, and crosses one replicated append
 * per node that has a queue for it, not one per queue.
 *
 * <p>The relay also has one binding per such queue from {@link RelayedNames#EXCHANGE}, keyed by the queue's name,
 * which stands for the default exchange's implicit binding: a node that has no queue of that name routes a publish
 * to the default exchange into the relay, and this node routes it from the default exchange into its queue (the
 * reply of RabbitMQ's RPC pattern to a client's server-named exclusive queue). A queue declared through the
 * engine's {@code declareQueueAsync} is answered once the relay has it ({@link #cover} of the queue's name), so a
 * reply sent after the declare-ok is not lost; it costs one metadata-log entry per such queue declared, and one
 * when a pass removes it after the queue went. MQTT's own queues, never addressed by name, get none.
 *
 * <p>The bindings follow the queues by reconciling, every {@value #PASS_MS} ms on the relays' thread: the bindings of
 * the node's own queues against the relay's, binding what is missing and removing what no queue needs. A binding into
 * one of those queues ({@code bindAsync}: queue.bind, an MQTT SUBSCRIBE, an AMQP 1.0 attach) is answered once the
 * relay has it ({@link #cover}, at most {@value #COVER_WAIT_MS} ms), so what other nodes publish after the answer
 * arrives; a node that cannot commit it (no majority) answers all the same, and a later pass binds it. The look and
 * the removals run on the one thread, so a removal never takes away a relay binding that an answer counted on.
 *
 * <p>The relay is declared, emptied (what waited there was for queues of this node's last run, which are gone) and
 * consumed when the vhost first has a queue of this node alone bound from a durable exchange or addressed by name
 * (at start if it has one then); a vhost without any has no relay. A relay stays once made. Messages wait in it only while this node is down: at most {@value #MAX_LENGTH} (the oldest go)
 * and for at most {@value #TTL_MS} ms each.
 */
final class NodeRelay {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRelay.class);
    static final String PREFIX = "junction.relay.";
    static final long PASS_MS = 2_000;
    static final long COVER_WAIT_MS = 5_000;
    static final long MAX_LENGTH = 100_000;
    static final long TTL_MS = 60_000;
    /** Relayed messages in flight to this node at a time. */
    private static final int PREFETCH = 1_000;
    /** While the cluster elects its first leaders a start that fails is expected: said at INFO for this long. */
    private static final long QUIET_START_NS = TimeUnit.SECONDS.toNanos(30);

    private final VirtualHost host;
    private final Vhost vhost;
    private final DirectReplies replies;
    private final String queue;
    /** The relays' thread: passes and the look of {@link #cover} run there, one at a time. */
    private final Executor thread;
    private final Map<Binding, CompletableFuture<Void>> binding = new ConcurrentHashMap<>();
    private final Map<Binding, CompletableFuture<Void>> unbinding = new ConcurrentHashMap<>();
    private final long startedAt = System.nanoTime();
    private volatile boolean consuming;
    /** Relays' thread only. */
    private CompletableFuture<?> starting;
    private volatile long lastWarning;

    NodeRelay(VirtualHost host, Vhost vhost, DirectReplies replies, String nodeId, Executor thread) {
        this.host = host;
        this.vhost = vhost;
        this.replies = replies;
        this.queue = PREFIX + nodeId;
        this.thread = thread;
        host.publishing().relayThrough(queue, this::cover);
    }

    /**
     * Completes once the relay carries what other nodes route for {@code b}: at once when {@code b} does not lead
     * into a queue of this node alone from a durable exchange or the default exchange (a queue's name, see
     * {@link RelayedNames}), or the relay has it; else when the relay's binding is committed or refused, or after
     * {@value #COVER_WAIT_MS} ms. Never exceptionally: the binding itself is made.
     */
    CompletableFuture<Void> cover(Binding b) {
        Binding relayed = relayBinding(b);
        if (relayed == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> answer = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                CompletableFuture<Void> removal = unbinding.get(relayed);
                CompletableFuture<Void> bound = !consuming
                        ? start().handle((v, e) -> null).thenCompose(v -> bind(relayed)) // the vhost's first
                        : removal != null ? removal.handle((v, e) -> null).thenCompose(v -> bind(relayed))
                        : relayBindings().contains(relayed) ? CompletableFuture.completedFuture(null)
                        : bind(relayed);
                bound.whenComplete((v, error) -> answer.complete(null));
            });
        } catch (RejectedExecutionException closing) {
            answer.complete(null);
        }
        return answer.completeOnTimeout(null, COVER_WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * The relay's binding for {@code b}, or null when {@code b} needs none: from the default exchange, the queue's
     * name from {@link RelayedNames#EXCHANGE}; else the same source and key, and the arguments that choose messages
     * (a headers exchange's; an MQTT filter's mark), not those that only describe a subscriber (an MQTT
     * subscription's QoS, No Local, identifier), so that subscribers of one filter share one.
     */
    private Binding relayBinding(Binding b) {
        if (!b.toQueue() || b.destination().equals(queue)) {
            return null;
        }
        Queue q = host.queue(b.destination()).orElse(null);
        if (b.source().isEmpty()) {
            // The default exchange's implicit binding of a queue to its name (RelayedNames)
            return q != null && RelayedNames.addressed(q) ? RelayedNames.binding(queue, q.name()) : null;
        }
        Exchange source = host.exchange(b.source()).orElse(null);
        if (source == null || !ReplicatedExchange.inCluster(source) || q == null || !VhostPublishing.nodeOnly(q)) {
            return null;
        }
        Map<String, Object> args = new LinkedHashMap<>();
        b.arguments().forEach((k, v) -> {
            if (!k.startsWith("x-mqtt-") || k.equals(Binding.MQTT_FILTER_ARGUMENT)) {
                args.put(k, v);
            }
        });
        return Binding.toQueue(b.source(), queue, b.routingKey(), args);
    }

    /**
     * Completes once the relay is consumed, starting it now if it is not (a direct reply-to consumer's vhost: its
     * replies from other nodes come through it by name, with no binding). Relays' thread.
     */
    CompletableFuture<?> started() {
        return consuming ? CompletableFuture.completedFuture(null) : start();
    }

    boolean consuming() {
        return consuming;
    }

    /** One reconciling pass: quick, it only starts what the metadata log answers later. */
    void pass() {
        try {
            // The relay's bindings first: one made after this look was asked for by a binding that exists already,
            // so the look below sees it wanted.
            Set<Binding> present = consuming ? relayBindings() : Set.of();
            Set<Binding> wanted = new HashSet<>();
            for (Exchange x : host.exchanges()) {
                if (ReplicatedExchange.inCluster(x)) {
                    for (Binding b : x.bindings()) {
                        Binding relayed = relayBinding(b);
                        if (relayed != null) {
                            wanted.add(relayed);
                        }
                    }
                }
            }
            for (Queue q : host.queues()) {
                if (RelayedNames.addressed(q)) {
                    wanted.add(RelayedNames.binding(queue, q.name()));
                }
            }
            if (!consuming) {
                if (!wanted.isEmpty() || host.queue(queue).isPresent()) {
                    start(); // a vhost without queues of this node alone gets no relay; a last run's is emptied
                }
                return;
            }
            boolean names = host.exchange(RelayedNames.EXCHANGE).isPresent();
            if (!names) {
                declareNames(); // deleted by hand: its bindings went with it, made again at a pass once it is back
            }
            for (Binding b : wanted) {
                if (!present.contains(b) && (names || !b.source().equals(RelayedNames.EXCHANGE))) {
                    bind(b);
                }
            }
            for (Binding b : present) {
                if (!wanted.contains(b) && !binding.containsKey(b)) {
                    unbind(b);
                }
            }
        } catch (RuntimeException e) {
            warn("a pass", e);
        }
    }

    /** Declares, empties and consumes the relay; the start under way, if one is. Relays' thread. */
    private CompletableFuture<?> start() {
        if (starting != null && !starting.isDone()) {
            return starting;
        }
        QueueSpec spec = new QueueSpec(queue, true, false, false, Map.of("x-queue-type", "quorum",
                "x-max-length", MAX_LENGTH, "x-message-ttl", TTL_MS));
        starting = declareNames()
                .thenCompose(x -> attempt(() -> vhost.declareQueueAsync(spec, null, null, false, name -> { })))
                .thenCompose(q -> vhost.purgeQueue(queue, null))
                .thenCompose(purged -> vhost.consume(queue, ConsumeRequest.of("junction-relay", true,
                        Credit.of(PREFETCH, 0)), new Sink()))
                .whenComplete((consumption, error) -> {
                    if (error != null) {
                        warn("its start", error);
                    } else {
                        consuming = true;
                        LOG.info("relay '{}' of vhost '{}' started: queues of this node alone get what other nodes"
                                + " publish", queue, vhost.name());
                    }
                });
        return starting;
    }

    /** Declares the exchange the relays' bindings for queue names come from, shared by the vhost's relays. */
    private CompletableFuture<?> declareNames() {
        return attempt(() -> vhost.declareExchangeAsync(RelayedNames.spec(), false)).whenComplete((x, error) -> {
            if (error != null) {
                warn("declaring exchange '" + RelayedNames.EXCHANGE + "'", error);
            }
        });
    }

    /** Binds the relay with {@code b}, or joins the binding already asked for (any thread). */
    private CompletableFuture<Void> bind(Binding b) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> asked = binding.putIfAbsent(b, mine);
        if (asked != null) {
            return asked;
        }
        attempt(() -> vhost.bindAsync(b, null)).whenComplete((v, error) -> {
            binding.remove(b, mine);
            if (error != null) {
                warn("binding '" + b.routingKey() + "' from '" + b.source() + "'", error);
                mine.completeExceptionally(error);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }

    private void unbind(Binding b) {
        if (unbinding.containsKey(b)) {
            return;
        }
        CompletableFuture<Void> unbound = attempt(() -> vhost.unbindAsync(b, null));
        unbinding.put(b, unbound);
        unbound.whenComplete((v, error) -> {
            unbinding.remove(b, unbound);
            if (error != null) {
                warn("removing binding '" + b.routingKey() + "' from '" + b.source() + "'", error);
            }
        });
    }

    private Set<Binding> relayBindings() {
        return new HashSet<>(vhost.bindingsTo(queue));
    }

    private static <T> CompletableFuture<T> attempt(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One line per {@value #PASS_MS} ms at most: a node without a majority would say it at every pass. */
    private void warn(String what, Throwable error) {
        long now = System.nanoTime();
        if (lastWarning != 0 && now - lastWarning < TimeUnit.MILLISECONDS.toNanos(PASS_MS)) {
            return;
        }
        lastWarning = now;
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        String line = "relay '{}' of vhost '{}': {} failed, tried again at the next pass: {}";
        if (!consuming && now - startedAt < QUIET_START_NS) {
            LOG.info(line, queue, vhost.name(), what, cause.getMessage());
        } else {
            LOG.warn(line, queue, vhost.name(), what, cause.getMessage());
        }
    }

    /**
     * Routes each relayed message into this node's own queues, on the relay's queue thread (a publish only hands the
     * message to their mailboxes), or a direct reply to its consumer ({@link DirectReplies#relayed}).
     * Auto-acknowledged: a message lost with this node was for queues (or reply-to consumers) that end with it.
     */
    private final class Sink implements DeliverySink {
        @Override
        public void deliver(Delivery d) {
            try {
                Message m = d.message();
                if (m.exchange().isEmpty() && m.routingKey().startsWith(DirectReplies.PREFIX)) {
                    // A direct reply: to the consumer registered under that exact name in this vhost, else dropped
                    // (its channel went; the publisher had no basic.return, as for any relayed message).
                    replies.relayed(vhost.name(), m);
                    return;
                }
                host.publishing().publishHere(m);
            } catch (RuntimeException e) {
                warn("routing a relayed message", e);
            }
        }

        @Override
        public void cancelled(CancelReason why) {
            consuming = false; // the relay was deleted: the next pass declares and consumes it again
        }
    }
}
