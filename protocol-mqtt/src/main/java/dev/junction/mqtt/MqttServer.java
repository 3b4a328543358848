package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ExactlyOnceIds;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.Vhost;
import io.micrometer.core.instrument.Counter;
import io.netty.util.HashedWheelTimer;

import java.util.Map;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The MQTT adapter's state shared by every connection of one engine, whichever listener (TCP or WebSocket) accepted
 * it, and the settings they read. Its parts: the session registry ({@link SessionRegistry}: client-id takeover,
 * session expiry, run per client id on {@link ClientLanes}), their records ({@link StoredSessions}, rebuilt at
 * start by {@link SessionRestore}), will messages ({@link Wills}), shared-subscription queues
 * ({@link ShareGroups}), retained messages ({@link RetainedMessages}) and the {@code $SYS} topics
 * ({@link SysTopics}). The broker creates one and hands it to
 * both initializers, and closes it on shutdown.
 */
public final class MqttServer implements AutoCloseable {
    /**
     * Whether {@code queueName} is an MQTT session's queue; its name holds the client id, which per-queue metrics
     * would publish as a label.
     */
    public static boolean isSessionQueue(String queueName) {
        return queueName.startsWith(TopicMapping.sessionQueue(""));
    }

    /** Session queues dead-letter here; a counting consumer turns overflow drops into a metric. */
    static final String DROPPED = "mqtt.dropped";

    /**
     * What a PUBLISH may carry besides its payload: fixed header (5), topic (2 + 65,535), packet identifier (2) and
     * up to 64 KiB of properties with their length (MQTT 5 section 3.3).
     */
    static final int PUBLISH_HEADROOM = 5 + 2 + 65_535 + 2 + 4 + 65_536;

    final MqttSettings settings;
    final MqttConfig config;
    /**
     * The largest packet accepted from a connected client: {@code mqtt.max_packet_size}, but never more than the
     * largest PUBLISH that {@code limits.max_message_size} lets through. Packets are buffered whole (off the heap,
     * where the memory alarm does not see them), so a maximum the broker would refuse anyway after reading it would
     * only let each connection make the broker buffer up to 256 MiB. Announced in CONNACK [MQTT-3.2.2-15].
     */
    final int maxPacketSize;
    final Vhost vhost;
    final RetainedMessages retained;
    final Access access;
    /** Messages dropped for an MQTT client because their routing key is no MQTT Topic Name. */
    final Counter unrepresentable;
    /** Threads that run the client ids' lanes: session changes are short, and mostly wait for nothing. */
    private static final int LANE_THREADS = 2;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-mqtt-timer");
        t.setDaemon(true);
        return t;
    });
    /**
     * Every connection's keep-alive deadline ({@link KeepAlive}), on one wheel rather than a scheduled task per
     * connection: 100 ms ticks are precise enough for periods of whole seconds. Its thread starts with the first
     * deadline.
     */
    final HashedWheelTimer keepAliveWheel = new HashedWheelTimer(r -> {
        Thread t = new Thread(r, "junction-mqtt-keepalive");
        t.setDaemon(true);
        return t;
    }, 100, TimeUnit.MILLISECONDS, 512);
    private final ClientLanes lanes = new ClientLanes(LANE_THREADS);
    /** The share groups' lanes, on a thread of their own: a client id's lane may wait for a join (at start). */
    private final ClientLanes shareLanes = new ClientLanes(1, "junction-mqtt-shares", "mqtt share group");
    final StoredSessions stored;
    final Wills wills;
    final ShareGroups shares;
    final SessionRegistry sessions;
    /** The {@code $SYS} topics; null when {@code mqtt.sys_interval} is 0. */
    final SysTopics sys;

    public static MqttServer create(MqttSettings settings, Engine engine) {
        return create(settings, engine, ClientIdClaims.LOCAL);
    }

    /** {@code clientIds}: who holds each client id across a cluster's nodes ({@link ClientIdClaims#LOCAL} alone). */
    public static MqttServer create(MqttSettings settings, Engine engine, ClientIdClaims clientIds) {
        return create(settings, engine, clientIds, ExactlyOnceIds.LOCAL);
    }

    /**
     * {@code exactlyOnce}: the sessions' QoS 2 packet ids shared across a cluster's nodes ({@link ExactlyOnceIds#LOCAL}
     * alone), so a session resumed on another node keeps its QoS 2 exchanges.
     */
    public static MqttServer create(MqttSettings settings, Engine engine, ClientIdClaims clientIds,
                                    ExactlyOnceIds exactlyOnce) {
        return new MqttServer(settings, engine, clientIds, exactlyOnce);
    }

    /** Whether no session task is waiting or running (for tests that drive connections on one thread). */
    boolean lanesIdle() {
        return lanes.active() == 0 && shareLanes.active() == 0;
    }

    /**
     * Stops the timers of session expiry, delayed wills and keep alives, then lets the session tasks already asked
     * finish.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        keepAliveWheel.stop();
        lanes.close();
        shareLanes.close();
    }

    /** The engine, for its alarms, guards and limits. */
    final Engine engine;
    /** Claimed by each CONNECT before its session is attached: takeover across a cluster's nodes. */
    final ClientIdClaims clientIds;

    private MqttServer(MqttSettings settings, Engine engine, ClientIdClaims clientIds, ExactlyOnceIds exactlyOnce) {
        this.engine = engine;
        this.clientIds = clientIds;
        this.settings = settings;
        this.config = settings.mqtt();
        this.maxPacketSize = (int) Math.min(config.maxPacketSize(), settings.maxMessageSize() + PUBLISH_HEADROOM);
        this.vhost = engine.createVhost(config.vhost());
        this.access = new Access(settings, engine);
        Counter queueFull = Counter.builder("junction.mqtt.dropped").tag("reason", "queue_full")
                .description("Messages dropped from offline MQTT sessions past mqtt.max_queued_messages")
                .register(engine.registry());
        this.unrepresentable = Counter.builder("junction.mqtt.dropped").tag("reason", "unrepresentable")
                .description("Messages dropped for an MQTT client because their routing key is no MQTT topic name")
                .register(engine.registry());
        if (vhost.exchange(config.exchange()).isEmpty()) {
            vhost.declareExchange(new ExchangeSpec(config.exchange(), "topic", true, false, false, Map.of()), false);
        }
        // The exchange is MQTT's topic space: AMQP bindings on it keep the '$' rule too, so $SYS is read by name only.
        vhost.useMqttTopicRules(config.exchange());
        // Session queues declared by earlier versions dead-letter their drops here to count them; the exchange
        // stays so that they find it (and route nowhere). Drops are now counted through Vhost.onDropped.
        vhost.declareExchange(new ExchangeSpec(DROPPED, "fanout", false, false, true, Map.of()), false);
        this.retained = new RetainedMessages(vhost.name(), engine.retained(vhost.name()),
                settings.maxRetainedMessages(), settings.maxRetainedBytes());
        this.stored = new StoredSessions(engine.sessions(vhost.name()), new SharedQos2Ids(exactlyOnce, vhost.name()));
        // Sessions of this node that a connection of another node took over or resumed since (alone: none).
        SupersededSessions superseded = new SupersededSessions(clientIds, vhost.name(), timer, lanes);
        this.wills = new Wills(timer, lanes, stored, this, superseded);
        // A cluster node hands the protocols the cluster's client-id registry; alone it is LOCAL. In a cluster a share
        // group is one replicated queue for every node, so a member anywhere gets what is published anywhere.
        this.shares = new ShareGroups(vhost, config.exchange(), shareLanes, clientIds == ClientIdClaims.LOCAL ? null
                : new ReplicatedShareQueue(vhost, config.exchange()));
        this.sessions = new SessionRegistry(vhost, config, engine.authorization(), lanes, timer, stored, wills, shares,
                queueFull);
        sessions.claimsThrough(clientIds, superseded);
        engine.authorization().mqtt(vhost.name(), config.exchange(), TopicMapping.sessionQueue(""),
                TopicMapping.SHARE_QUEUE_PREFIX, sessions::sessionQueueDeleted);
        new SessionRestore(vhost, config, engine.authorization(), lanes, stored, sessions, wills, shares,
                clientIds != ClientIdClaims.LOCAL).run();
        superseded.forgetRestored();
        this.sys = config.sysIntervalSeconds() > 0 ? new SysTopics(this) : null;
        if (sys != null) {
            sys.start(timer, config.sysIntervalSeconds());
        }
    }

    /**
     * Stores the retained copy when asked, then routes. A retained copy the vhost's retained limits refuse is
     * not kept, and the message is routed all the same (MQTT 3.1.1 and wills: no way to tell the publisher;
     * RetainedMessages logs it once). Called from any event loop, a client id's lane or the timer.
     */
    PublishResult publish(String topic, boolean retain, Message m, boolean confirm) {
        if (retain) {
            retained.apply(topic, m);
        }
        return vhost.publish(m, confirm);
    }
}
