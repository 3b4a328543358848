package dev.junction.broker;

import dev.junction.amqp.AmqpProtocol;
import dev.junction.amqp10.Amqp10Protocol;
import dev.junction.broker.management.ClusterDefinitionsFile;
import dev.junction.broker.management.DefinitionsFile;
import dev.junction.broker.management.ManagementApi;
import dev.junction.broker.management.MessageRates;
import dev.junction.config.JunctionConfig;
import dev.junction.config.ListenerConfig;
import dev.junction.config.StorageConfig;
import dev.junction.mqtt.MqttProtocol;
import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolModule;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.routing.queue.Paging;
import dev.junction.storage.MessageStore;
import dev.junction.storage.log.FsyncPolicy;
import dev.junction.cluster.ClusterNode;
import dev.junction.storage.log.LogMessageStore;
import dev.junction.storage.log.LogStoreSettings;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the composition root that builds the store, the engine, the protocol modules and their
 * listeners from a config, and takes them down again in reverse order. Every protocol is wired the same way, from
 * the list of {@link ProtocolModule}s in {@link #standardProtocols()}.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    /** RabbitMQ's words for the connections it closes on shutdown (AMQP reply text, MQTT 5 Reason String). */
    static final String SHUTDOWN_REASON = "broker forced connection closure with reason 'shutdown'";
    /** How long shutdown waits for clients to take their goodbye (AMQP close-ok) before closing the sockets. */
    private static final java.time.Duration GOODBYE_WAIT = java.time.Duration.ofSeconds(2);

    private final JunctionConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, InetSocketAddress> bound = new TreeMap<>();
    private final ExecutorService adminWork = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "junction-admin");
        t.setDaemon(true);
        return t;
    });
    /** Samples message counts into rates every few seconds (management API {@code message_stats}, lag gauges). */
    private final java.util.concurrent.ScheduledExecutorService statsSampler =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "junction-stats");
                t.setDaemon(true);
                return t;
            });
    private final TlsWatcher tlsWatcher = new TlsWatcher();
    private final Health health = new Health();
    private MessageStore store;
    private RoutingEngine engine;
    private ClusterNode cluster;
    private dev.junction.cluster.quorum.QuorumNode quorum; // quorum queues' groups, in a cluster only
    private ClusterDefinitionsFile definitionsFile; // a cluster node's definitions_file, imported once it has a leader
    private dev.junction.routing.api.NodeRelays relays; // in a cluster only
    /** Native epoll where it loads, else NIO; every listener's sockets and event loops use it. */
    private final Transport transport = Transport.choose();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private HttpListener http;
    private final List<ProtocolModule> protocols;
    /** The modules started, the latest first: they are closed in this order. */
    private final Deque<ProtocolModule> running = new ArrayDeque<>();
    private final List<TcpListener> listeners = new ArrayList<>();
    private dev.junction.routing.auth.backend.AuthBackends authBackends;
    private ConnectionGate gate;
    private OperatorControl control;
    private JvmGcMetrics gcMetrics;
    private boolean closed;

    private Broker(JunctionConfig config, List<ProtocolModule> protocols) {
        this.config = config;
        this.protocols = List.copyOf(protocols);
    }

    /** The protocols a broker serves, each a new module: AMQP 0-9-1, AMQP 1.0 (on the same port), then MQTT. */
    static List<ProtocolModule> standardProtocols() {
        return List.of(new AmqpProtocol(), new Amqp10Protocol(), new MqttProtocol());
    }

    /** Starts a broker; on failure everything already started is stopped again before the error propagates. */
    public static Broker start(JunctionConfig config) throws Exception {
        return start(config, standardProtocols());
    }

    /**
     * Starts a broker serving {@code protocols}, modules not yet started. Their order is the order they start and
     * bind their listeners in; on a listener several of them serve, the first answers the connections whose
     * protocol header none of them claims.
     */
    public static Broker start(JunctionConfig config, List<ProtocolModule> protocols) throws Exception {
        Broker broker = new Broker(config, protocols);
        try (StartupWatch watch = StartupWatch.ofCurrentThread()) { // a start that stalls says where
            broker.startAll();
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** One sampling run; a failure is logged and the next run tries again (a scheduled task that throws stops). */
    private static void sample(MessageRates rates) {
        try {
            rates.sample();
        } catch (RuntimeException e) {
            LOG.warn("message rate sampling failed", e);
        }
    }

    private static long totalRam() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize()
                : Runtime.getRuntime().maxMemory();
    }

    private void startAll()
            throws InterruptedException, dev.junction.config.ConfigException, ListenerBindException, java.io.IOException {
        long started = System.nanoTime();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);

        // The http listener comes first, so that /health answers "starting" (503) while the store is read back.
        gate = new ConnectionGate(config.limits().maxConnections(), config.limits().admission(), registry);
        boss = transport.group(1);
        workers = transport.group(0);
        if (transport.whyNotEpoll() == null) {
            LOG.info("network transport: {}", transport.label());
        } else {
            LOG.info("network transport: {} ({})", transport.label(), transport.whyNotEpoll());
        }
        ListenerConfig httpConfig = config.listeners().http();
        if (httpConfig.enabled()) {
            ServerTls httpTls = tls("http", httpConfig);
            http = new HttpListener(registry, adminWork, gate, config.limits().admission().httpIdleTimeout(),
                    httpTls, health);
            listen("http", ListenerBindException.bind("http", httpConfig.bind(), httpConfig.port(),
                    () -> http.start(transport.bootstrap(boss, workers), httpConfig.bind(), httpConfig.port())), httpTls);
        }

        StorageConfig storage = config.storage();
        LogMessageStore log = LogMessageStore.open(storage.dir(), FsyncPolicy.of(storage.fsync().name(),
                storage.groupCommitMaxMessages(), storage.groupCommitMaxWait().toMillis()),
                LogStoreSettings.defaults().withCompaction(storage.compaction()));
        StoreMetrics.bind(log, registry);
        store = log;
        LOG.info("store in {} (fsync {}), read back in {} ms", storage.dir().toAbsolutePath(),
                storage.fsync().name().toLowerCase(java.util.Locale.ROOT), log.lastRecoveryMillis());
        // A cluster node replicates the engine's definitions (docs/cluster.md); without a cluster section nothing
        // of it exists, no Raft thread included.
        // The registry's tombstones of ended MQTT sessions are kept as long as a session's expiry may run.
        cluster = config.cluster().map(c -> new ClusterNode(c, log, config.mqtt().maxSessionExpirySeconds()))
                .orElse(null);
        engine = new RoutingEngine(cluster == null ? store : cluster.store(), registry, Runtime.getRuntime().availableProcessors(),
                new Paging(storage.queueWindowMessages(), storage.queueWindowBytes()));
        engine.setQuotas(config.limits().quotas());
        if (!config.mqtt().perSessionMetrics()) {
            // Client ids often name a device or a person: no per-session series unless the operator asks.
            engine.setPerQueueMetrics(name -> !MqttProtocol.isSessionQueue(name));
        }
        engine.recover();
        config.vhosts().forEach(engine::createVhost);
        // The users of the file laid over those made by the management API, before anyone can log in.
        ManagementApi.loadUsers(engine, config.users());
        Map<String, Object> clusterDefinitions = null;
        if (config.definitionsFile().isPresent() && cluster == null) {
            // RabbitMQ's load_definitions, at every start: the file's objects are created or updated, then the
            // config file's users are laid over the result again, so the YAML wins for what it declares.
            DefinitionsFile.load(engine, config.definitionsFile().get());
            ManagementApi.loadUsers(engine, config.users());
        } else if (config.definitionsFile().isPresent()) {
            // A cluster node reads it now (a file that is not JSON stops the start, as alone) and imports it
            // through the metadata log once it knows a leader (ClusterDefinitionsFile).
            clusterDefinitions = DefinitionsFile.read(config.definitionsFile().get());
        }
        if (cluster != null) {
            // After this node's own start-up writes, which stay local.
            cluster.start(engine, (user, delete) -> ManagementApi.applyReplicatedUser(engine, user, delete));
            quorum = dev.junction.cluster.quorum.QuorumCluster.start(config.cluster().orElseThrow(), engine,
                    cluster, config.limits().maxMessageSize());
            // Queues of this node alone (transient, exclusive) get what the other nodes publish (docs/cluster.md).
            relays = dev.junction.routing.api.NodeRelays.start(engine, config.cluster().orElseThrow().nodeId());
            if (clusterDefinitions != null) {
                definitionsFile = ClusterDefinitionsFile.start(engine, config.definitionsFile().get(),
                        clusterDefinitions);
            }
        }
        control = new OperatorControl(engine, cluster, quorum);

        engine.memoryAlarm().setHighWatermarkPercent(config.limits().memoryHighWatermarkPercent());
        engine.loginThrottle().setMaxDelayMs(config.limits().authFailureMaxDelayMs());
        engine.diskAlarm().watch(storage.dir(), config.limits().diskFreeLimit().bytes(totalRam()));
        authBackends = new dev.junction.routing.auth.backend.AuthBackends(config, registry,
                engine.authorization().users());
        engine.useAuthBackends(authBackends);
        MessageRates rates = new MessageRates(engine);
        statsSampler.scheduleAtFixedRate(() -> sample(rates), MessageRates.INTERVAL_SECONDS,
                MessageRates.INTERVAL_SECONDS, TimeUnit.SECONDS);
        if (http != null) {
            http.serveApi(new ManagementApi(engine, config, adminWork, control, rates));
        }
        startProtocols();
        health.ready(engine);
        LOG.info("Junction started in {} ms (vhosts {}, store {})",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), config.vhosts(),
                storage.dir().toAbsolutePath());
    }

    /**
     * Starts each module that has an enabled listener, in list order, and binds each enabled listener once the last
     * module serving it has started; a module whose listeners are all disabled is neither started nor closed.
     */
    private void startProtocols()
            throws InterruptedException, dev.junction.config.ConfigException, ListenerBindException {
        List<ProtocolModule> enabled = protocols.stream()
                .filter(m -> m.listeners().stream().anyMatch(key -> config.listeners().byKey(key).enabled()))
                .toList();
        ProtocolContext context = new ProtocolContext(Engine.of(engine), config, registry, workers,
                cluster == null ? dev.junction.routing.api.ClientIdClaims.LOCAL : cluster.clientIds(),
                cluster == null ? dev.junction.routing.api.ExactlyOnceIds.LOCAL : cluster.exactlyOnce());
        for (ProtocolModule module : enabled) {
            module.start(context);
            running.push(module);
            for (String key : module.listeners()) {
                ListenerConfig listener = config.listeners().byKey(key);
                List<ProtocolModule> serving = enabled.stream().filter(m -> m.listeners().contains(key)).toList();
                if (listener.enabled() && serving.get(serving.size() - 1) == module) {
                    ServerTls tls = tls(key, listener);
                    TcpListener tcp = new TcpListener(key, serving, gate, tls);
                    listeners.add(tcp);
                    listen(key, ListenerBindException.bind(key, listener.bind(), listener.port(),
                            () -> tcp.start(transport.bootstrap(boss, workers), listener.bind(), listener.port())), tls);
                }
            }
        }
    }

    private void listen(String name, InetSocketAddress address, ServerTls tls) {
        bound.put(name, address);
        if (tls == null) {
            LOG.info("listening for {} on {}:{}", name, address.getHostString(), address.getPort());
        } else {
            LOG.info("listening for {} on {}:{} ({})", name, address.getHostString(), address.getPort(),
                    tls.describe());
            tlsWatcher.watch(tls);
        }
    }

    /** The listener's TLS context, or null for a plain listener. */
    private static ServerTls tls(String name, ListenerConfig listener) throws dev.junction.config.ConfigException {
        return listener.tls().isPresent() ? ServerTls.create(name, listener.tls().get()) : null;
    }

    /** The address a listener actually bound (port 0 in the config picks a free port). */
    public InetSocketAddress address(String listener) {
        InetSocketAddress a = bound.get(listener);
        if (a == null) {
            throw new IllegalArgumentException("listener '" + listener + "' is not running");
        }
        return a;
    }

    /**
     * Checks every TLS listener's certificate, key and CA files now (as SIGHUP does) and serves changed ones to new
     * connections; returns at once, the check runs on the TLS watcher's thread and logs its outcome.
     */
    public void reloadTls() {
        tlsWatcher.reloadAll();
    }

    /**
     * The file this broker's config was read from: a reload ({@link #reload}, SIGHUP, {@code POST /api/reload})
     * re-reads it. A broker started without one has nothing to reload.
     */
    public void configFile(java.nio.file.Path file) {
        control.reloadWith(new ConfigReload(file, config, engine, this::reloadTls));
    }

    /** Re-reads the config file and applies what may change at run time ({@link ConfigReload}). */
    public dev.junction.broker.management.ReloadOutcome reload() {
        return control.reload();
    }

    public RoutingEngine engine() {
        return engine;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** This node's quorum queue groups; empty for a broker that runs alone. */
    public java.util.Optional<dev.junction.cluster.quorum.QuorumNode> quorum() {
        return java.util.Optional.ofNullable(quorum);
    }

    /** This node's cluster membership; empty for a broker that runs alone. */
    public java.util.Optional<ClusterNode> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    public JunctionConfig config() {
        return config;
    }

    /**
     * Completes once the {@code definitions_file} is imported, with the number of its objects refused: at start
     * alone or without a file (none refused: a refusal stops the start), later on a cluster node (docs/cluster.md).
     */
    public java.util.concurrent.CompletableFuture<Integer> definitionsImported() {
        return definitionsFile == null ? java.util.concurrent.CompletableFuture.completedFuture(0)
                : definitionsFile.imported();
    }

    /**
     * Stops accepting connections, lets the event loops finish in-flight work, drains queue mailboxes and closes
     * the store. Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.stopping();
        bound.clear();
        long started = System.nanoTime();
        tlsWatcher.close();
        statsSampler.shutdownNow();
        listeners.forEach(TcpListener::stop);
        if (http != null) {
            http.stop();
        }
        if (engine != null) {
            // Goodbye before the sockets close (issue 13): AMQP clients get connection.close 320, MQTT 5 clients
            // DISCONNECT 0x8B; bounded, since a client that does not answer must not hold the shutdown up.
            engine.connections().shutdown(SHUTDOWN_REASON, GOODBYE_WAIT);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        while (!running.isEmpty()) {
            running.pop().close();
        }
        if (authBackends != null) {
            authBackends.close();
        }
        if (definitionsFile != null) {
            definitionsFile.close(); // before the metadata group it declares through
        }
        if (relays != null) {
            relays.close(); // as the definitions file: it declares and binds through the metadata group
        }
        dev.junction.cluster.quorum.QuorumCluster.close(quorum); // before the engine, as the metadata group
        if (cluster != null) {
            cluster.close(); // before the engine: the log's apply thread declares into it
        }
        if (engine != null) {
            engine.close();
        }
        if (store != null) {
            store.close();
        }
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        adminWork.shutdownNow();
        registry.close();
        LOG.info("Junction stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
