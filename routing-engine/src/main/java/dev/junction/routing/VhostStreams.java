package dev.junction.routing;

import dev.junction.routing.api.Binding.DestinationKind;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.ServerQueueName;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.routing.queue.QueueHost;
import dev.junction.routing.stream.Stream;
import dev.junction.routing.stream.StreamArguments;
import dev.junction.storage.DefinitionKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A vhost's streams ({@code x-queue-type: stream}): declared, deleted and recovered here, under the vhost's lock,
 * beside its classic queues. A stream and a queue share one name space: declaring one under the other's name is
 * refused as RabbitMQ refuses a different {@code x-queue-type} (406 inequivalent arg). Routing reaches a stream by
 * name through {@link VirtualHost}'s target lookup, like a queue.
 */
public final class VhostStreams {
    private final String vhost;
    private final RoutingEngine engine;
    private final Object lock;
    private final QueueHost host;
    private final BindingTable bindings;
    private final DeclarationGuard guard;
    private final VhostPolicies policies;
    private final EngineMetrics metrics;
    /** The vhost's classic queues (read only here): one name space with the streams. */
    private final Map<String, Queue> queues;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();

    VhostStreams(VirtualHost vhost, RoutingEngine engine, Object lock, QueueHost host, BindingTable bindings,
                 Map<String, Queue> queues) {
        this.vhost = vhost.name();
        this.engine = engine;
        this.lock = lock;
        this.host = host;
        this.bindings = bindings;
        this.guard = vhost.guard();
        this.policies = vhost.policies();
        this.metrics = vhost.metrics;
        this.queues = queues;
    }

    /** The named stream, or null. */
    public Stream get(String name) {
        return streams.get(name);
    }

    public Collection<Stream> all() {
        return List.copyOf(streams.values());
    }

    int count() {
        return streams.size();
    }

    /** Whether a declaration of {@code spec} is this class's: it asks for a stream, or names one. */
    public boolean handles(QueueSpec spec) {
        return StreamArguments.requested(spec.arguments()) || streams.containsKey(spec.name());
    }

    /**
     * queue.declare of a stream (see {@link #handles}): creates it, or checks an existing one is equivalent; a
     * passive declare only looks. {@code beforeCreate} runs on the final name before a new one is created.
     */
    public Stream declare(QueueSpec spec, ServerQueueName serverName, boolean passive, Consumer<String> beforeCreate) {
        synchronized (lock) {
            String name = spec.name().isEmpty() ? GeneratedNames.queue(serverName) : spec.name();
            String what = "queue '" + name + "' in vhost '" + vhost + "'";
            Stream existing = streams.get(name);
            if (existing != null) {
                if (!passive) {
                    Equivalence.stream(what, existing.spec(), spec);
                }
                return existing;
            }
            if (passive) {
                throw BrokerException.notFound("no " + what);
            }
            Queue classic = queues.get(name);
            if (classic != null) {
                Equivalence.queue(what, classic.spec(), spec); // 406 inequivalent arg 'x-queue-type'
            }
            if (name.startsWith("amq.") && !spec.name().isEmpty()) {
                throw BrokerException.accessRefused("queue name '" + name + "' contains reserved prefix 'amq.*'");
            }
            StreamArguments streamArgs = StreamArguments.parse(spec, what);
            QueueArguments args = QueueArguments.parse(spec.arguments(), what);
            beforeCreate.accept(name);
            guard.checkMemory("queue '" + name + "'");
            guard.checkQueueCount(name, streams.size() + queues.size());
            engine.requireWritableStore(what);
            QueueSpec named = spec.withName(name);
            Stream s = new Stream(host, named, streamArgs, args);
            streams.put(name, s);
            metrics.streamAdded(s);
            policies.applyTo(s); // under the lock, as for a classic queue, so no policy change slips between
            engine.store().definitions().put(DefinitionCodec.queue(vhost, named));
            return s;
        }
    }

    /**
     * queue.delete of a stream: unlinks it and its bindings, then deletes its log. RabbitMQ deletes a stream whatever
     * if-unused and if-empty say, and so does this.
     */
    public CompletableFuture<Integer> delete(String name) {
        Stream s;
        synchronized (lock) {
            s = streams.remove(name);
            if (s == null) {
                return CompletableFuture.completedFuture(0);
            }
            bindings.removeAllInto(DestinationKind.QUEUE, name);
            metrics.streamRemoved(s);
            engine.store().definitions().delete(DefinitionKind.QUEUE, vhost, name);
        }
        return s.delete().thenApply(n -> {
            engine.store().streams().delete(vhost, name);
            return n;
        });
    }

    /** A stored stream definition at start-up: its log is opened and recovered. False for a classic queue. */
    boolean recover(QueueSpec spec) {
        if (!StreamArguments.requested(spec.arguments())) {
            return false;
        }
        synchronized (lock) {
            String what = "queue '" + spec.name() + "' in vhost '" + vhost + "'";
            streams.computeIfAbsent(spec.name(), n -> {
                Stream s = new Stream(host, spec, StreamArguments.parse(spec, what),
                        QueueArguments.parse(spec.arguments(), what));
                metrics.streamAdded(s);
                return s;
            });
        }
        return true;
    }
}
