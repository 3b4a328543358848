package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ConsumeRequest;
import dev.junction.routing.api.Credit;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster node's relay: how a message published on another node reaches the subscriptions of this node's clean
 * sessions, whose queues and bindings are this node's alone (docs/cluster.md, "MQTT sessions", "Clean sessions
 * across nodes").
 *
 * <p>Each node has one quorum queue, {@code mqtt.relay.<node id>}, bound to the MQTT exchange with every filter its
 * clean sessions subscribe to (once per filter however many sessions have it). The bindings are replicated, so a
 * publish on any other node routes into the queue, as it does into a persistent session's quorum queue, and is
 * acknowledged (PUBACK, publisher confirm) once a majority has it. This node consumes the queue and routes each
 * message again through the MQTT exchange, into its own clean sessions' queues only ({@link Vhost#publishHere}):
 * persistent sessions and share groups have quorum queues the publishing node filled already. A publish made on
 * this node never goes into its own relay ({@link Vhost#relayQueue}), since it reaches the sessions here directly.
 * So each message reaches each session once, and crosses at most one relay per node that has subscribers for it,
 * not one per subscriber: a thousand clean subscribers of one filter on a node cost one binding and one append.
 *
 * <p>The bindings follow the sessions by reconciling, every {@value #PASS_MS} ms on the MQTT timer: the filters that
 * this node's clean sessions have (their queues' bindings) against the relay's bindings, binding what is missing and
 * removing what no session has any more. A clean session's SUBSCRIBE waits for its filter's relay binding
 * ({@link #cover}) before its SUBACK, so what is published anywhere after the SUBACK reaches it; a node that cannot
 * commit the binding (no majority) still grants the subscription, which then gets what is published on this node
 * until a pass binds it. Leaving needs no step of its own: a binding left a moment after its last subscription only
 * relays messages that find no session here.
 *
 * <p>At start the relay is declared, emptied (what waited in it was for the clean sessions of this node's previous
 * run, which are gone [MQTT-3.1.2-6]) and consumed; the first pass then removes the bindings of that run. Messages
 * wait in it only while this node is down, and not without end: at most {@value #MAX_LENGTH} (the oldest go), and
 * for at most {@value #TTL_MS} ms.
 */
final class NodeRelay {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRelay.class);
    static final String PREFIX = "mqtt.relay.";
    static final long PASS_MS = 2_000;
    /** How long a SUBSCRIBE waits for its relay binding before it is granted anyway. */
    static final long COVER_WAIT_MS = 5_000;
    static final long MAX_LENGTH = 100_000;
    static final long TTL_MS = 60_000;
    /** Relayed messages in flight to this node at a time. */
    private static final int PREFETCH = 1_000;

    private final Vhost vhost;
    private final String exchange;
    private final String queue;
    private final ScheduledExecutorService timer;
    /** Bindings asked for and not answered yet, by binding key (any thread). */
    private final Map<String, CompletableFuture<Void>> binding = new ConcurrentHashMap<>();
    /** Removals asked for and not answered yet, by binding key (asked on the timer thread). */
    private final Map<String, CompletableFuture<Void>> unbinding = new ConcurrentHashMap<>();
    /** Set once the relay is declared, emptied and consumed; passes only declare until then (timer thread). */
    private volatile boolean consuming;
    private CompletableFuture<?> starting;
    private volatile long lastWarning;
    private volatile long startedAt;
    /** While the cluster elects its first leaders a start that fails is expected: said at INFO, not WARN. */
    private static final long QUIET_START_NS = TimeUnit.SECONDS.toNanos(30);

    NodeRelay(Vhost vhost, String exchange, String nodeId, ScheduledExecutorService timer) {
        this.vhost = vhost;
        this.exchange = exchange;
        this.queue = PREFIX + nodeId;
        this.timer = timer;
    }

    void start() {
        startedAt = System.nanoTime();
        vhost.relayQueue(queue);
        timer.scheduleWithFixedDelay(this::pass, 0, PASS_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Completes when the relay is bound with {@code bindingKey} (at once if it is), or after
     * {@value #COVER_WAIT_MS} ms, or when the binding is refused: never exceptionally, since the subscription is
     * granted either way. Runs on the timer thread, between passes, so a pass never removes a binding that a
     * SUBSCRIBE it did not see yet counted on: a removal already under way is waited for, and the key bound again.
     */
    CompletableFuture<Void> cover(String bindingKey) {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        try {
            timer.execute(() -> {
                CompletableFuture<Void> removal = unbinding.get(bindingKey);
                CompletableFuture<Void> bound = !consuming ? CompletableFuture.completedFuture(null) // the first pass binds it
                        : removal != null ? removal.handle((v, e) -> null).thenCompose(v -> bind(bindingKey))
                        : relayBindings().containsKey(bindingKey) ? CompletableFuture.completedFuture(null)
                        : bind(bindingKey);
                bound.whenComplete((v, error) -> answer.complete(null));
            });
        } catch (RejectedExecutionException closing) {
            answer.complete(null);
        }
        return answer.completeOnTimeout(null, COVER_WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** Binds the relay with {@code key}, or joins the binding already asked for (any thread). */
    private CompletableFuture<Void> bind(String key) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> asked = binding.putIfAbsent(key, mine);
        if (asked != null) {
            return asked;
        }
        CompletableFuture<Void> bound;
        try {
            bound = vhost.bindAsync(relayBinding(key), null);
        } catch (RuntimeException e) {
            bound = CompletableFuture.failedFuture(e);
        }
        bound.whenComplete((v, error) -> {
            binding.remove(key, mine);
            if (error != null) {
                warn("binding of '" + key + "'", error);
                mine.completeExceptionally(error);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }

    private void unbind(Binding b) {
        String key = b.routingKey();
        if (unbinding.containsKey(key)) {
            return;
        }
        CompletableFuture<Void> unbound = unbindAsync(b);
        unbinding.put(key, unbound);
        unbound.whenComplete((v, error) -> {
            unbinding.remove(key, unbound);
            if (error != null) {
                warn("removal of the binding of '" + key + "'", error);
            }
        });
    }

    private CompletableFuture<Void> unbindAsync(Binding b) {
        try {
            return vhost.unbindAsync(b, null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Binding relayBinding(String key) {
        return Binding.toQueue(exchange, queue, key, Map.of(Binding.MQTT_FILTER_ARGUMENT, true));
    }

    /** One reconciling pass (timer thread): quick, it only starts what the metadata log answers later. */
    private void pass() {
        try {
            if (!consuming) {
                startConsuming();
                return;
            }
            // The relay's bindings first: one made after this look was asked for by a SUBSCRIBE whose own binding
            // exists already, so the sessions' look below sees it wanted.
            Map<String, Binding> present = relayBindings();
            Set<String> wanted = wantedKeys();
            for (String key : wanted) {
                if (!present.containsKey(key)) {
                    bind(key);
                }
            }
            for (Map.Entry<String, Binding> e : present.entrySet()) {
                if (!wanted.contains(e.getKey()) && !binding.containsKey(e.getKey())) {
                    unbind(e.getValue());
                }
            }
        } catch (RuntimeException e) {
            warn("a pass", e);
        }
    }

    /** Declares, empties and consumes the relay; again at the next pass while the metadata log refuses. */
    private void startConsuming() {
        if (starting != null && !starting.isDone()) {
            return;
        }
        QueueSpec spec = new QueueSpec(queue, true, false, false, Map.of("x-queue-type", "quorum",
                "x-max-length", MAX_LENGTH, "x-message-ttl", TTL_MS));
        starting = vhost.declareQueueAsync(spec, null, null, false, name -> { })
                .thenCompose(q -> vhost.purgeQueue(queue, null))
                .thenCompose(purged -> vhost.consume(queue, ConsumeRequest.of("mqtt-relay", true,
                        Credit.of(PREFETCH, 0)), new Sink()))
                .whenComplete((consumption, error) -> {
                    if (error != null) {
                        warn("start", error);
                    } else {
                        consuming = true;
                        LOG.info("MQTT relay '{}' consumed: clean sessions here get what other nodes publish", queue);
                    }
                });
    }

    /** The filters of this node's clean sessions: bindings from the MQTT exchange to transient session queues. */
    private Set<String> wantedKeys() {
        Set<String> keys = new HashSet<>();
        Map<String, Boolean> transientQueue = new HashMap<>();
        for (Binding b : vhost.bindingsFrom(exchange)) {
            if (b.toQueue() && MqttServer.isSessionQueue(b.destination())
                    && transientQueue.computeIfAbsent(b.destination(), this::isTransient)) {
                keys.add(b.routingKey());
            }
        }
        return keys;
    }

    private boolean isTransient(String queueName) {
        return vhost.queue(queueName).map(QueueInfo::spec).map(s -> !s.durable()).orElse(false);
    }

    private Map<String, Binding> relayBindings() {
        Map<String, Binding> present = new HashMap<>();
        for (Binding b : vhost.bindingsTo(queue)) {
            if (b.source().equals(exchange)) {
                present.put(b.routingKey(), b);
            }
        }
        return present;
    }

    /** One line per {@value #PASS_MS} ms at most: a node without a majority would say it at every pass. */
    private void warn(String what, Throwable error) {
        long now = System.nanoTime();
        if (now - lastWarning > TimeUnit.MILLISECONDS.toNanos(PASS_MS) || lastWarning == 0) {
            lastWarning = now;
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            if (!consuming && now - startedAt < QUIET_START_NS) {
                LOG.info("MQTT relay '{}': {} failed, tried again at the next pass: {}", queue, what,
                        cause.getMessage());
            } else {
                LOG.warn("MQTT relay '{}': {} failed, tried again at the next pass: {}", queue, what,
                        cause.getMessage());
            }
        }
    }

    /**
     * Routes each relayed message into this node's clean sessions' queues, on the relay's queue thread (a publish
     * only hands the message to their mailboxes). Auto-acknowledged: a message lost with this node would have been
     * for clean sessions that end with it.
     */
    private final class Sink implements DeliverySink {
        @Override
        public void deliver(Delivery d) {
            try {
                vhost.publishHere(d.message(), MqttServer::isSessionQueue);
            } catch (RuntimeException e) {
                warn("a relayed message", e);
            }
        }

        @Override
        public void cancelled() {
            consuming = false; // the relay was deleted: the next pass declares and consumes it again
        }
    }
}
