package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.DeadLetters;
import dev.junction.routing.queue.Queue;
import dev.junction.storage.SessionStore;
import io.micrometer.core.instrument.Counter;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT state shared by every connection of one engine, whichever listener (TCP or WebSocket) accepted it:
 * the session registry (client-id takeover, session expiry, delayed wills), retained messages and the
 * shared-subscription queues. The broker creates one and hands it to both initializers, and closes it on
 * shutdown.
 *
 * <p>Sessions that may outlive their connection keep a record in {@code RoutingEngine.store().sessions()}
 * ({@link SessionCodec}): expiry interval and disconnect time, inbound QoS 2 ids awaiting PUBREL, outbound ids
 * awaiting PUBCOMP, shared subscriptions and the pending delayed will. It is rewritten on every change and deleted
 * when the session ends; at start every stored session (and every durable session queue) is rebuilt, expiry and
 * will timers re-armed with the time left, and what ran out while the broker was down ends or is published.
 */
public final class MqttServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttServer.class);
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
    final VirtualHost vhost;
    final RetainedMessages retained;
    final Access access;
    private final Counter queueFull;
    /** Messages dropped for an MQTT client because their routing key is no MQTT Topic Name. */
    final Counter unrepresentable;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-mqtt-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, MqttSession> sessions = new HashMap<>();
    private final Map<String, Set<String>> shareMembers = new HashMap<>();
    private final SessionStore store;

    public static MqttServer create(MqttSettings settings, RoutingEngine engine) {
        return new MqttServer(settings, engine);
    }

    /** Stops the timers of session expiry and delayed wills. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** The engine, for its memory alarm. */
    final RoutingEngine engine;

    private MqttServer(MqttSettings settings, RoutingEngine engine) {
        this.engine = engine;
        this.settings = settings;
        this.config = settings.mqtt();
        this.maxPacketSize = (int) Math.min(config.maxPacketSize(), settings.maxMessageSize() + PUBLISH_HEADROOM);
        this.vhost = engine.createVhost(config.vhost());
        this.access = new Access(settings, engine);
        this.queueFull = Counter.builder("junction.mqtt.dropped").tag("reason", "queue_full")
                .description("Messages dropped from offline MQTT sessions past mqtt.max_queued_messages")
                .register(engine.registry());
        this.unrepresentable = Counter.builder("junction.mqtt.dropped").tag("reason", "unrepresentable")
                .description("Messages dropped for an MQTT client because their routing key is no MQTT topic name")
                .register(engine.registry());
        if (vhost.exchange(config.exchange()).isEmpty()) {
            vhost.declareExchange(new ExchangeSpec(config.exchange(), "topic", true, false, false, Map.of()), false);
        }
        // Session queues declared by earlier versions dead-letter their drops here to count them; the exchange
        // stays so that they find it (and route nowhere). Drops are now counted by Queue.onDropped.
        vhost.declareExchange(new ExchangeSpec(DROPPED, "fanout", false, false, true, Map.of()), false);
        this.retained = new RetainedMessages(vhost.name(), engine.store().retained(), settings.maxRetainedMessages(),
                settings.maxRetainedBytes());
        this.store = engine.store().sessions();
        engine.authorization().mqtt(vhost.name(), config.exchange(), TopicMapping.sessionQueue(""),
                TopicMapping.SHARE_QUEUE_PREFIX, this::sessionQueueDeleted);
        restoreSessions();
    }

    // ---- sessions ---------------------------------------------------------------------------------------------

    record Attached(MqttSession session, boolean present, MqttConnection previous) {
    }

    /**
     * Makes {@code conn} the owner of the client id's session [MQTT-3.1.2-4, MQTT-3.1.2-5]; the previous owner, if
     * any, must be disconnected by the caller [MQTT-3.1.4-2]. A session found only as a durable queue (after a
     * restart) is rebuilt from its bindings. A session whose connection asked for it to end with the connection
     * (Clean Session 1, Session Expiry 0) is not resumed even when that connection's close is still on its way: the
     * network connection is over (it is being taken over) or about to be, so the session is new and CONNACK says
     * so [MQTT-3.1.2-6, MQTT-3.2.2-2]. The session queue is declared here, under the same lock, with the durability
     * the new owner needs ({@code expirySeconds} > 0), so that racing CONNECTs for one client id never disagree on
     * it.
     *
     * <p>A session belongs to the user who created it: for any other {@code user} this returns null and changes
     * nothing (the session, its queued messages and its live connection stay as they are); with clean start as
     * well, since ending the session would be taking it from its owner. A session without an owner (stored
     * before owners were kept) is claimed by the user who resumes it.
     */
    synchronized Attached attach(String clientId, MqttConnection conn, boolean cleanStart, long expirySeconds,
                                 String user) {
        MqttSession s = sessions.get(clientId);
        if (s != null && s.user != null && !s.user.equals(user)) {
            return null;
        }
        if (s == null && vhost.queue(TopicMapping.sessionQueue(clientId)).isPresent()) {
            s = MqttSession.recover(clientId, vhost, config.exchange());
            s.durable = true;
            sessions.put(clientId, s);
        }
        if (s != null && s.user == null) {
            LOG.info("MQTT session '{}' had no recorded owner; user '{}' claims it", clientId,
                    user);
        }
        MqttConnection previous = null;
        boolean present = false;
        if (s != null) {
            previous = s.owner;
            s.owner = null;
            s.cancelExpiry();
            // A session resumed before its will delay passed does not send the will [MQTT-3.1.3-9].
            s.cancelWill();
            if (cleanStart || (previous != null && previous.sessionExpiry == 0)) {
                endSession(s);
                s = null;
            } else {
                present = true;
            }
        }
        if (s == null) {
            s = new MqttSession(clientId);
            sessions.put(clientId, s);
        }
        s.user = user;
        engine.authorization().claim(s.queueName, user);
        s.owner = conn;
        try {
            sessionQueue(s, expirySeconds > 0);
        } catch (RuntimeException e) {
            s.owner = null; // the caller refuses the CONNECT: the session must not stay owned by it
            throw e;
        }
        return new Attached(s, present, previous);
    }

    /** Declares the session's queue unless it exists; durable when the session outlives the connection. */
    Queue sessionQueue(MqttSession s, boolean durable) {
        Queue q = vhost.queue(s.queueName).orElseGet(() -> vhost.declareQueue(new QueueSpec(s.queueName, durable,
                false, false, Map.of("x-max-length", (long) config.maxQueuedMessages())), null, false));
        q.onDropped(this::countDrop);
        return q;
    }

    private void countDrop(String reason) {
        if (DeadLetters.MAXLEN.equals(reason)) {
            queueFull.increment();
        }
    }

    /** The connection that now owns the session answered CONNECT; records the session if it may outlive it. */
    void connected(MqttSession s, long expirySeconds) {
        s.connected(expirySeconds);
        persist(s);
    }

    /** The owner connection went away: the session ends now, or when its expiry interval has passed. */
    synchronized void detach(MqttSession s, MqttConnection conn, long expirySeconds) {
        if (s.owner != conn) {
            return; // taken over: the new owner decides
        }
        s.owner = null;
        s.disconnected(expirySeconds, System.currentTimeMillis());
        if (expirySeconds == 0) {
            endSession(s);
            return;
        }
        if (expirySeconds != MqttConfig.NEVER_EXPIRE) {
            s.expiry = timer.schedule(() -> expire(s), expirySeconds, TimeUnit.SECONDS);
        }
        persist(s); // write-behind: at worst a crash keeps the session for the full interval from the restart
    }

    private synchronized void expire(MqttSession s) {
        if (s.owner == null && sessions.get(s.clientId) == s) {
            LOG.debug("MQTT session '{}' expired", s.clientId);
            endSession(s);
        }
    }

    private void endSession(MqttSession s) {
        if (sessions.remove(s.clientId, s)) {
            engine.authorization().release(s.queueName);
        }
        synchronized (s) {
            if (s.durable && !s.ended) {
                try {
                    s.lastWrite = store.delete(vhost.name(), s.clientId);
                } catch (RuntimeException e) {
                    LOG.warn("could not delete the stored MQTT session '{}': {}", s.clientId, e.toString());
                }
            }
            s.ended = true;
        }
        for (Subscriptions.Subscription sub : s.subscriptions.all()) {
            if (sub.shared()) {
                leaveShare(sub.queue(), s.clientId);
            }
        }
        s.subscriptions.clear();
        vhost.deleteQueue(s.queueName, false, false, null);
        // The will goes out no later than the session's end [MQTT-3.1.3-9].
        Will pending = s.takeWill();
        if (pending != null) {
            publishWill(pending);
        }
    }

    /**
     * The session queue {@code queueName} was deleted over AMQP by its owner or an administrator: the session ends
     * with it. A live connection is disconnected (MQTT 5: DISCONNECT 0x98 Administrative action), the stored
     * record is removed, shared memberships are left, and a pending will goes out as at any session end.
     */
    void sessionQueueDeleted(String queueName) {
        String clientId = queueName.substring(TopicMapping.sessionQueue("").length());
        MqttConnection live = null;
        synchronized (this) {
            MqttSession s = sessions.get(clientId);
            if (s != null) {
                live = s.owner;
                s.owner = null;
                s.cancelExpiry();
                endSession(s);
            } else {
                try {
                    store.delete(vhost.name(), clientId);
                } catch (RuntimeException e) {
                    LOG.warn("could not delete the stored MQTT session '{}': {}", clientId, e.toString());
                }
            }
        }
        LOG.info("MQTT session '{}' ended: its queue was deleted over AMQP", clientId);
        if (live != null) {
            MqttConnection conn = live;
            conn.onLoop(() -> conn.closeWith(0x98));
        }
    }

    /** Schedules (or, with no delay, publishes) the will of a connection that ended abnormally. */
    synchronized void scheduleWill(MqttSession s, Will will) {
        if (will.delaySeconds() <= 0 || sessions.get(s.clientId) != s) {
            publishWill(will);
            return;
        }
        armWill(s, will, System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(will.delaySeconds()));
        persist(s);
    }

    private void armWill(MqttSession s, Will will, long dueAt) {
        long delay = Math.max(0, dueAt - System.currentTimeMillis());
        s.setWill(will, dueAt, timer.schedule(() -> {
            synchronized (this) {
                Will w = s.takeWill();
                if (w != null) {
                    publishWill(w);
                    persist(s);
                }
            }
        }, delay, TimeUnit.MILLISECONDS));
    }

    void publishWill(Will will) {
        try {
            publish(will.topic(), will.retain(), will.message(), false);
        } catch (BrokerException e) {
            LOG.warn("could not publish the will on '{}': {}", will.topic(), e.getMessage());
        }
    }

    /**
     * Stores the retained copy when asked, then routes. A retained copy the vhost's retained limits refuse is
     * not kept, and the message is routed all the same (MQTT 3.1.1 and wills: no way to tell the publisher;
     * RetainedMessages logs it once). Called from any event loop or the timer.
     */
    dev.junction.routing.api.PublishResult publish(String topic, boolean retain, Message m, boolean confirm) {
        if (retain) {
            retained.apply(topic, m);
        }
        return vhost.publish(m, confirm);
    }

    // ---- the stored sessions ----------------------------------------------------------------------------------

    /**
     * Hands the session's current state to the store, unless the session ends with its connection (then nothing
     * is stored) or has ended. Records reach the store in the order of the calls; the future completes when this
     * one is durable. Called from the owner's event loop, under the server lock or from the timer.
     */
    CompletableFuture<Void> persist(MqttSession s) {
        synchronized (s) {
            if (!s.durable || s.ended) {
                return s.lastWrite;
            }
            try {
                s.lastWrite = store.put(new SessionStore.Session(vhost.name(), s.clientId,
                        SessionCodec.encode(s.state())));
            } catch (RuntimeException e) {
                // The store is closing (broker shutdown) or failed.
                LOG.warn("could not store the MQTT session '{}': {}", s.clientId, e.toString());
                s.lastWrite = CompletableFuture.failedFuture(e);
            }
            return s.lastWrite;
        }
    }

    /** The future of the session's last record: complete once everything stored so far is durable. */
    CompletableFuture<Void> written(MqttSession s) {
        synchronized (s) {
            return s.lastWrite;
        }
    }

    /**
     * At start: rebuilds every stored session of this vhost and every durable session queue without a record
     * (kept for the configured maximum from now). A session whose connection was open when the broker stopped
     * counts as disconnected at start. Expired sessions end (their delayed will goes out); timers are re-armed
     * with the time left, and wills whose delay passed are published.
     */
    private synchronized void restoreSessions() {
        long now = System.currentTimeMillis();
        Map<String, SessionCodec.State> stored = new LinkedHashMap<>();
        Set<String> unreadable = new HashSet<>();
        for (SessionStore.Session rec : store.all()) {
            if (!rec.vhost().equals(vhost.name())) {
                continue;
            }
            try {
                stored.put(rec.clientId(), SessionCodec.decode(rec.data()));
            } catch (RuntimeException e) {
                // Left in the store untouched; the session is still rebuilt from its queue when the client returns.
                LOG.warn("cannot read the stored MQTT session '{}': {}", rec.clientId(), e.getMessage());
                unreadable.add(rec.clientId());
            }
        }
        Set<String> ids = new LinkedHashSet<>(stored.keySet());
        String prefix = TopicMapping.sessionQueue("");
        for (Queue q : vhost.queues()) {
            if (q.durable() && q.name().startsWith(prefix)) {
                ids.add(q.name().substring(prefix.length()));
            }
        }
        ids.removeAll(unreadable);
        int restored = 0;
        int ended = 0;
        for (String clientId : ids) {
            SessionCodec.State st = stored.get(clientId);
            MqttSession s = MqttSession.recover(clientId, vhost, config.exchange());
            s.durable = true;
            sessions.put(clientId, s);
            vhost.queue(s.queueName).ifPresent(q -> q.onDropped(this::countDrop));
            long interval = config.maxSessionExpirySeconds();
            long disconnectedAt = now;
            if (st != null) {
                s.restore(st);
                if (s.user != null) {
                    engine.authorization().claim(s.queueName, s.user);
                }
                interval = Math.min(st.expiryInterval(), config.maxSessionExpirySeconds());
                disconnectedAt = st.disconnectedAt() == 0 ? now : Math.min(st.disconnectedAt(), now);
                for (SessionCodec.SharedSub sub : st.shared()) {
                    rejoin(s, sub);
                }
                if (st.will() != null) {
                    s.setWill(st.will(), st.willDueAt(), null);
                }
            }
            s.disconnected(interval, disconnectedAt);
            long left = interval == MqttConfig.NEVER_EXPIRE ? Long.MAX_VALUE
                    : disconnectedAt + TimeUnit.SECONDS.toMillis(interval) - now;
            if (left <= 0) {
                LOG.debug("MQTT session '{}' expired while the broker was down", clientId);
                endSession(s);
                ended++;
                continue;
            }
            if (interval != MqttConfig.NEVER_EXPIRE) {
                s.expiry = timer.schedule(() -> expire(s), left, TimeUnit.MILLISECONDS);
            }
            if (st != null && st.will() != null) {
                if (st.willDueAt() <= now) {
                    s.takeWill();
                    publishWill(st.will());
                } else {
                    armWill(s, st.will(), st.willDueAt());
                }
            }
            persist(s);
            restored++;
        }
        if (restored + ended > 0) {
            LOG.info("restored {} MQTT sessions; {} expired while the broker was down", restored, ended);
        }
    }

    private void rejoin(MqttSession s, SessionCodec.SharedSub sub) {
        String[] share = TopicMapping.shared(sub.filter());
        if (share == null) {
            return;
        }
        String queue = TopicMapping.shareQueue(share[0], share[1]);
        try {
            joinShare(queue, TopicMapping.toBindingKey(share[1]), s.clientId, true);
            s.subscriptions.put(new Subscriptions.Subscription(sub.filter(), share[1], share[0], queue, sub.qos(),
                    false, sub.retainAsPublished(), sub.subscriptionId()));
        } catch (BrokerException | IllegalArgumentException e) {
            LOG.warn("could not restore the shared subscription '{}' of MQTT session '{}': {}", sub.filter(),
                    s.clientId, e.getMessage());
        }
    }

    // ---- shared subscriptions ---------------------------------------------------------------------------------

    /** Joins a share group's queue (declaring it and its binding on first use). */
    synchronized Queue joinShare(String queueName, String bindingKey, String clientId, boolean durable) {
        Queue q = vhost.queue(queueName).orElseGet(() ->
                vhost.declareQueue(new QueueSpec(queueName, durable, false, false, Map.of()), null, false));
        vhost.bind(Binding.toQueue(config.exchange(), queueName, bindingKey,
                Map.of(dev.junction.routing.exchange.TopicExchange.MQTT_FILTER_ARGUMENT, true)), null);
        shareMembers.computeIfAbsent(queueName, k -> new HashSet<>()).add(clientId);
        return q;
    }

    /** Leaves a share group; the group's queue goes with its last member. */
    synchronized void leaveShare(String queueName, String clientId) {
        Set<String> members = shareMembers.get(queueName);
        if (members != null && members.remove(clientId) && members.isEmpty()) {
            shareMembers.remove(queueName);
            vhost.deleteQueue(queueName, false, false, null);
        }
    }
}
