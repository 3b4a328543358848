package dev.junction.broker;

import dev.junction.amqp.AmqpChannelInitializer;
import dev.junction.amqp.AmqpSettings;
import dev.junction.broker.management.ManagementApi;
import dev.junction.config.JunctionConfig;
import dev.junction.config.ListenerConfig;
import dev.junction.config.StorageConfig;
import dev.junction.mqtt.MqttChannelInitializer;
import dev.junction.mqtt.MqttServer;
import dev.junction.mqtt.MqttSettings;
import dev.junction.mqtt.MqttWebSocketInitializer;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.queue.Paging;
import dev.junction.storage.MessageStore;
import dev.junction.storage.log.FsyncPolicy;
import dev.junction.storage.log.LogMessageStore;
import dev.junction.storage.log.LogStoreSettings;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the composition root that builds the store, the engine and the listeners from a config, and
 * takes them down again in reverse order.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final JunctionConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, InetSocketAddress> bound = new TreeMap<>();
    private final ExecutorService adminWork = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "junction-admin");
        t.setDaemon(true);
        return t;
    });
    private final TlsWatcher tlsWatcher = new TlsWatcher();
    private MessageStore store;
    private RoutingEngine engine;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private HttpListener http;
    private TcpListener amqp;
    private TcpListener mqtt;
    private TcpListener mqttWs;
    private TcpListener amqps;
    private TcpListener mqtts;
    private TcpListener mqttWss;
    private MqttServer mqttServer;
    private dev.junction.routing.auth.backend.AuthBackends authBackends;
    private ConnectionGate gate;
    private JvmGcMetrics gcMetrics;
    private boolean closed;

    private Broker(JunctionConfig config) {
        this.config = config;
    }

    /** Starts a broker; on failure everything already started is stopped again before the error propagates. */
    public static Broker start(JunctionConfig config) throws Exception {
        Broker broker = new Broker(config);
        try {
            broker.startAll();
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    private static long totalRam() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize()
                : Runtime.getRuntime().maxMemory();
    }

    private void startAll() throws InterruptedException, dev.junction.config.ConfigException {
        long started = System.nanoTime();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);

        StorageConfig storage = config.storage();
        LogMessageStore log = LogMessageStore.open(storage.dir(), FsyncPolicy.of(storage.fsync().name(),
                storage.groupCommitMaxMessages(), storage.groupCommitMaxWait().toMillis()),
                LogStoreSettings.defaults().withCompaction(storage.compaction()));
        StoreMetrics.bind(log, registry);
        store = log;
        LOG.info("store in {} (fsync {}), read back in {} ms", storage.dir().toAbsolutePath(),
                storage.fsync().name().toLowerCase(java.util.Locale.ROOT), log.lastRecoveryMillis());
        engine = new RoutingEngine(store, registry, Runtime.getRuntime().availableProcessors(),
                new Paging(storage.queueWindowMessages(), storage.queueWindowBytes()));
        engine.setQuotas(config.limits().quotas());
        if (!config.mqtt().perSessionMetrics()) {
            // Client ids often name a device or a person: no per-session series unless the operator asks.
            engine.setPerQueueMetrics(name -> !MqttServer.isSessionQueue(name));
        }
        engine.recover();
        config.vhosts().forEach(engine::createVhost);

        engine.memoryAlarm().setHighWatermarkPercent(config.limits().memoryHighWatermarkPercent());
        engine.loginThrottle().setMaxDelayMs(config.limits().authFailureMaxDelayMs());
        engine.diskAlarm().watch(storage.dir(), config.limits().diskFreeLimit().bytes(totalRam()));
        authBackends = new dev.junction.routing.auth.backend.AuthBackends(config, registry);
        engine.useAuthBackends(authBackends);
        gate = new ConnectionGate(config.limits().maxConnections(), config.limits().admission(), registry);
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
        ListenerConfig httpConfig = config.listeners().http();
        if (httpConfig.enabled()) {
            ServerTls httpTls = tls("http", httpConfig);
            http = new HttpListener(registry, adminWork, gate, config.limits().admission().httpIdleTimeout(),
                    httpTls, new ManagementApi(engine, config, adminWork));
            listen("http", http.start(boss, workers, httpConfig.bind(), httpConfig.port()), httpTls);
        }
        AmqpSettings amqpSettings = new AmqpSettings(config.limits().frameMax(), config.limits().channelMax(),
                config.limits().heartbeatSeconds(), config.limits().maxMessageSize(), "junction@"
                + hostName(), config.users(), config.limits().maxContentInFlightBytes());
        // One initializer for amqp and amqps, so direct reply-to works between clients on either listener.
        AmqpChannelInitializer amqpInitializer = new AmqpChannelInitializer(amqpSettings,
                dev.junction.routing.api.Engine.of(engine));
        ListenerConfig amqpConfig = config.listeners().amqp();
        if (amqpConfig.enabled()) {
            amqp = new TcpListener("amqp", amqpInitializer, gate);
            listen("amqp", amqp.start(boss, workers, amqpConfig.bind(), amqpConfig.port()));
        }
        ListenerConfig amqpsConfig = config.listeners().amqps();
        if (amqpsConfig.enabled()) {
            ServerTls tls = tls("amqps", amqpsConfig);
            amqps = new TcpListener("amqps", amqpInitializer, gate, tls);
            listen("amqps", amqps.start(boss, workers, amqpsConfig.bind(), amqpsConfig.port()), tls);
        }
        mqttServer = MqttServer.create(new MqttSettings(config.mqtt(), config.users(),
                config.limits().maxMessageSize(), config.limits().maxRetainedMessages(),
                config.limits().maxRetainedBytes()), engine);
        ListenerConfig mqttConfig = config.listeners().mqtt();
        if (mqttConfig.enabled()) {
            mqtt = new TcpListener("mqtt", new MqttChannelInitializer(mqttServer), gate);
            listen("mqtt", mqtt.start(boss, workers, mqttConfig.bind(), mqttConfig.port()));
        }
        ListenerConfig mqttWsConfig = config.listeners().mqttWs();
        if (mqttWsConfig.enabled()) {
            mqttWs = new TcpListener("mqtt_ws", new MqttWebSocketInitializer(mqttServer), gate);
            listen("mqtt_ws", mqttWs.start(boss, workers, mqttWsConfig.bind(), mqttWsConfig.port()));
        }
        ListenerConfig mqttsConfig = config.listeners().mqtts();
        if (mqttsConfig.enabled()) {
            ServerTls tls = tls("mqtts", mqttsConfig);
            mqtts = new TcpListener("mqtts", new MqttChannelInitializer(mqttServer), gate, tls);
            listen("mqtts", mqtts.start(boss, workers, mqttsConfig.bind(), mqttsConfig.port()), tls);
        }
        ListenerConfig mqttWssConfig = config.listeners().mqttWss();
        if (mqttWssConfig.enabled()) {
            ServerTls tls = tls("mqtt_wss", mqttWssConfig);
            mqttWss = new TcpListener("mqtt_wss", new MqttWebSocketInitializer(mqttServer), gate, tls);
            listen("mqtt_wss", mqttWss.start(boss, workers, mqttWssConfig.bind(), mqttWssConfig.port()), tls);
        }
        LOG.info("Junction started in {} ms (vhosts {})",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), config.vhosts());
    }

    private void listen(String name, InetSocketAddress address) {
        listen(name, address, null);
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

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
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

    public RoutingEngine engine() {
        return engine;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public JunctionConfig config() {
        return config;
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
        bound.clear();
        long started = System.nanoTime();
        tlsWatcher.close();
        if (amqp != null) {
            amqp.stop();
        }
        if (mqtt != null) {
            mqtt.stop();
        }
        if (mqttWs != null) {
            mqttWs.stop();
        }
        for (TcpListener tlsListener : new TcpListener[] {amqps, mqtts, mqttWss}) {
            if (tlsListener != null) {
                tlsListener.stop();
            }
        }
        if (http != null) {
            http.stop();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (mqttServer != null) {
            mqttServer.close();
        }
        if (authBackends != null) {
            authBackends.close();
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
