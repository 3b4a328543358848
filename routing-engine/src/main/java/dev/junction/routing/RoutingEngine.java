package dev.junction.routing;

import dev.junction.config.Quotas;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.ConnectionRegistry;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.delayed.HeldStore;
import dev.junction.routing.exchange.DelayedExchange;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.guard.LoginThrottle;
import dev.junction.routing.guard.WarningLimiter;
import dev.junction.routing.queue.Paging;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.HeapBudget;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol-neutral core: virtual hosts, the shared pool that queue mailboxes run on, timers, the message id
 * sequence and the store. Protocol adapters reach everything through {@link #vhost(String)}.
 */
public final class RoutingEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingEngine.class);
    private static final int RECOVERY_PAGE = 10_000;
    private static final long QUEUE_BYTES = 12 * 1024;
    private static final long DEFINITION_BYTES = 1536;
    private static final long MESSAGE_BYTES = 64;

    private final MessageStore store;
    private final MeterRegistry registry;
    private final ExecutorService pool;
    private final ScheduledExecutorService timers;
    private final AtomicLong messageIds;
    private final long recoveredUpTo;
    private final Paging paging;
    private final Map<String, VirtualHost> vhosts = new ConcurrentHashMap<>();
    private final dev.junction.routing.quorum.QuorumQueues quorum;
    private final MemoryAlarm memoryAlarm = new MemoryAlarm(60);
    private final dev.junction.routing.auth.Authorization authorization = new dev.junction.routing.auth.Authorization();
    private final LoginThrottle loginThrottle;
    /** Client-triggered warnings (protocol errors, failed logins): one line per source address per interval. */
    private final WarningLimiter clientWarnings = new WarningLimiter(30, TimeUnit.SECONDS);
    private final DiskAlarm diskAlarm;
    private volatile Quotas quotas = Quotas.DEFAULTS;
    private final ConnectionQuotas connectionQuotas = new ConnectionQuotas(() -> quotas);
    /** The client connections of every protocol, for the management API, access changes and shutdown. */
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private volatile Predicate<String> perQueueMetrics = name -> true;
    /** A cluster's metadata log, through which durable declarations take effect; null on a single node. */
    private volatile DefinitionLog definitionLog;

    /**
     * @param threads how many threads run queue mailboxes; one per core is right for most loads
     */
    public RoutingEngine(MessageStore store, MeterRegistry registry, int threads) {
        this(store, registry, threads, Paging.DEFAULT);
    }

    /**
     * @param paging how much of each durable queue stays in memory; the rest waits in the store
     */
    public RoutingEngine(MessageStore store, MeterRegistry registry, int threads, Paging paging) {
        this.store = store;
        this.paging = paging;
        this.registry = registry;
        this.pool = Executors.newFixedThreadPool(threads, named("junction-queue"));
        this.timers = Executors.newSingleThreadScheduledExecutor(named("junction-timer"));
        this.quorum = new dev.junction.routing.quorum.QuorumQueues(this, pool, timers);
        this.recoveredUpTo = store.highestMessageId();
        this.messageIds = new AtomicLong(recoveredUpTo);
        this.diskAlarm = new DiskAlarm(store, memoryAlarm);
        memoryAlarm.start(timers);
        this.loginThrottle = new LoginThrottle(registry);
        diskAlarm.start(timers);
        AlarmGauges.register(registry, memoryAlarm, diskAlarm);
    }

    /** Quorum queues: replicated once a cluster installs its log (docs/cluster.md), else durable queues. */
    public dev.junction.routing.quorum.QuorumQueues quorum() {
        return quorum;
    }

    /** The alarm adapters block publishers on: memory and disk (see {@link DiskAlarm}). */
    public MemoryAlarm memoryAlarm() {
        return memoryAlarm;
    }

    /** The authorization model both adapters share (MQTT ACLs across protocols, MQTT session ownership). */
    public dev.junction.routing.auth.Authorization authorization() {
        return authorization;
    }

    public LoginThrottle loginThrottle() {
        return loginThrottle;
    }

    private volatile dev.junction.routing.auth.backend.AuthBackends authBackends;

    /** The login backends ({@code auth.backends}) both adapters ask, set once at start; null: adapters use their users. */
    public void useAuthBackends(dev.junction.routing.auth.backend.AuthBackends backends) {
        this.authBackends = backends;
    }

    public java.util.Optional<dev.junction.routing.auth.backend.AuthBackends> authBackends() {
        return java.util.Optional.ofNullable(authBackends);
    }

    public WarningLimiter clientWarnings() {
        return clientWarnings;
    }

    public DiskAlarm diskAlarm() {
        return diskAlarm;
    }

    /**
     * Refuses a durable declaration while the store cannot write: confirming it would promise a definition that
     * may not survive a restart (it was seen to get declare-ok and be gone after a restart).
     */
    void requireWritableStore(String what) {
        if (!store.writable()) {
            throw new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot declare durable " + what
                    + ": the store cannot write (disk full or failing); try again once it can");
        }
        store.definitions().refusal().ifPresent(why -> {
            throw new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot declare durable " + what + ": " + why);
        });
    }

    /** From now on, durable declarations made through the engine API take effect when {@code log} commits them. */
    public void commitDefinitionsThrough(DefinitionLog log) {
        this.definitionLog = log;
    }

    /** The cluster's metadata log, or null on a single node. */
    DefinitionLog definitionLog() {
        return definitionLog;
    }

    /** The vhost and user limits and the per-client quotas; {@link Quotas#DEFAULTS} until the broker sets them. */
    public Quotas quotas() {
        return quotas;
    }

    public void setQuotas(Quotas quotas) {
        this.quotas = java.util.Objects.requireNonNull(quotas, "quotas");
    }

    /**
     * Which queues get their own metrics, labelled with the queue name (all, unless the broker says otherwise:
     * MQTT session queues carry client ids in their names). Set before {@link #recover()}.
     */
    public void setPerQueueMetrics(Predicate<String> queueNames) {
        this.perQueueMetrics = java.util.Objects.requireNonNull(queueNames, "queueNames");
    }

    boolean perQueueMetrics(String queueName) {
        return perQueueMetrics.test(queueName);
    }

    /** Connections per vhost and user, channels per user, counted against {@link #quotas()}. */
    public ConnectionQuotas connectionQuotas() {
        return connectionQuotas;
    }

    public ConnectionRegistry connections() {
        return connections;
    }

    /** Returns the vhost, creating it (with its built-in exchanges) when missing. */
    public VirtualHost createVhost(String name) {
        return vhosts.computeIfAbsent(name, n -> {
            store.definitions().put(new Definition(DefinitionKind.VHOST, n, n, new byte[0]));
            return new VirtualHost(n, this);
        });
    }

    /**
     * Deletes a vhost with everything in it (RabbitMQ's {@code delete_vhost}): it is gone for new lookups at once;
     * then its queues (exclusive ones too, with their messages), its exchanges and the bindings between them are
     * deleted, and every stored definition of it, so that it does not come back at a restart. Closing the
     * connections still open in it is the caller's. Completes when the queues are gone; false when there was no
     * such vhost.
     */
    public CompletableFuture<Boolean> deleteVhost(String name) {
        VirtualHost v = vhosts.remove(name);
        if (v == null) {
            return CompletableFuture.completedFuture(false);
        }
        List<CompletableFuture<Integer>> queues = new ArrayList<>();
        for (Queue q : v.queues()) {
            queues.add(v.deleteQueue(q.name(), false, false, q.exclusiveOwner()));
        }
        for (var stream : v.streams().all()) {
            queues.add(v.streams().delete(stream.name())); // and its log's files
        }
        for (var x : v.exchanges()) {
            if (!x.name().isEmpty() && !x.name().startsWith("amq.")) {
                v.deleteExchange(x.name(), false);
            }
        }
        for (Definition d : store.definitions().all()) {
            if (d.kind() != DefinitionKind.USER && d.vhost().equals(name)) {
                store.definitions().delete(d.kind(), d.vhost(), d.name());
            }
        }
        return CompletableFuture.allOf(queues.toArray(new CompletableFuture[0]))
                .thenApply(ignored -> true);
    }

    public Optional<VirtualHost> vhost(String name) {
        return Optional.ofNullable(vhosts.get(name));
    }

    /** The vhost's own message counts (publishes, confirms, the default exchange's) for the management API. */
    public VhostStats stats(VirtualHost vhost) {
        return vhost.metrics;
    }

    public Collection<VirtualHost> vhosts() {
        return List.copyOf(vhosts.values());
    }

    /**
     * Rebuilds durable definitions and queue contents from the store. Call once, before listeners open. Messages
     * of queues that no longer exist are dropped from the store.
     */
    public void recover() {
        long started = System.nanoTime();
        checkHeapFor(store.definitions().all());
        int definitions = 0;
        for (Definition d : store.definitions().all()) {
            definitions++;
            switch (d.kind()) {
                case VHOST -> vhosts.computeIfAbsent(d.vhost(), n -> new VirtualHost(n, this));
                case EXCHANGE -> vhostFor(d).recoverExchange(DefinitionCodec.readExchange(d));
                case QUEUE -> vhostFor(d).recoverQueue(DefinitionCodec.readQueue(d));
                case BINDING -> vhostFor(d).recoverBinding(DefinitionCodec.readBinding(d));
                case POLICY -> vhostFor(d).policies().recover(DefinitionCodec.readPolicy(d));
                case EXCHANGE_STATE -> StoredExchangeState.recover(vhostFor(d), d, store.definitions());
                default -> {
                    // Users and permissions are recovered by the broker's access control, not here.
                }
            }
        }
        long messages = 0;
        for (QueueKey key : store.queues()) {
            Queue q = vhost(key.vhost()).flatMap(v -> v.queue(key.name())).orElse(null);
            String heldBy = q == null ? HeldStore.exchangeOf(key) : null;
            Exchange held = heldBy == null ? null : vhost(key.vhost()).flatMap(v -> v.exchange(heldBy)).orElse(null);
            if (held instanceof DelayedExchange && held.durable()) {
                messages += DelayedExchange.recover(held); // a delayed exchange's held messages (see HeldStore)
                continue;
            }
            if (q == null) {
                LOG.warn("dropping stored messages of {}: the queue no longer exists", key);
                store.removeQueue(key);
                continue;
            }
            long after = 0;
            IdPage page;
            long total = store.count(key);
            long restored = 0;
            long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // Ids only: a queue keeps most of a long backlog on disk and reads bodies as consumers need them.
            while (!(page = store.ids(key, after, RECOVERY_PAGE)).isEmpty()) {
                q.restore(page);
                messages += page.size();
                restored += page.size();
                after = page.lastId();
                if (System.nanoTime() > nextReport) {
                    // Large stores take a while: say how far along the start is.
                    LOG.info("recovering {}: {} of {} messages", key, restored, total);
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                }
            }
        }
        vhosts.values().forEach(v -> v.exchanges().forEach(DelayedExchange::resume)); // held ones due go now
        LOG.info("recovered {} definitions and {} messages in {} ms", definitions, messages,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Estimates, from the stored definitions and queue lengths, the heap the rebuild takes and stops the start with
     * one line when it does not fit (see {@link HeapBudget}). The costs per entity were measured on a running broker
     * (a durable queue with its meters about 9 KiB, an exchange or a binding about 1 KiB) and rounded up.
     */
    private void checkHeapFor(Collection<Definition> definitions) {
        long queues = 0;
        long exchanges = 0;
        long bindings = 0;
        for (Definition d : definitions) {
            switch (d.kind()) {
                case QUEUE -> queues++;
                case EXCHANGE -> exchanges++;
                case BINDING -> bindings++;
                default -> {
                }
            }
        }
        long messages = 0;
        for (QueueKey key : store.queues()) {
            messages += store.count(key);
        }
        HeapBudget.require(String.format("%,d queues, %,d exchanges, %,d bindings and %,d messages", queues,
                exchanges, bindings, messages),
                queues * QUEUE_BYTES + (exchanges + bindings) * DEFINITION_BYTES + messages * MESSAGE_BYTES);
    }

    private VirtualHost vhostFor(Definition d) {
        return vhosts.computeIfAbsent(d.vhost(), n -> new VirtualHost(n, this));
    }

    Paging paging() {
        return paging;
    }

    long recoveredUpTo() {
        return recoveredUpTo;
    }

    long nextMessageId() {
        return messageIds.incrementAndGet();
    }

    /**
     * The store, for the engine's own parts, the engine API's facade (which keeps protocol records through it) and
     * the broker's wiring (the users' definitions). It is public because those live in other packages. A protocol
     * adapter must not call it: it has {@code Engine.storeWritable()}, {@code sessions} and {@code retained}, and the
     * architecture test keeps adapters off the store and off this class (its exemption lists name the adapter
     * classes that still call it until they move onto the API).
     */
    public MessageStore store() {
        return store;
    }

    public MeterRegistry registry() {
        return registry;
    }

    ExecutorService pool() {
        return pool;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** Stops timers and lets queue mailboxes finish what they hold; the store is closed by its owner. */
    @Override
    public void close() {
        memoryAlarm.stop();
        diskAlarm.stop();
        timers.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("queue threads did not finish within 5 s; stopping them");
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
