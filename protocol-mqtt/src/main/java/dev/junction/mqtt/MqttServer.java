package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.routing.BrokerException;
import dev.junction.routing.Message;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.exchange.Binding;
import dev.junction.routing.exchange.ExchangeSpec;
import dev.junction.routing.queue.ConsumerSpec;
import dev.junction.routing.queue.Delivery;
import dev.junction.routing.queue.DeliverySink;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.queue.QueueSpec;
import io.micrometer.core.instrument.Counter;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
 */
public final class MqttServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttServer.class);
    /** Session queues dead-letter here; a counting consumer turns overflow drops into a metric. */
    static final String DROPPED = "mqtt.dropped";

    final MqttSettings settings;
    final MqttConfig config;
    final VirtualHost vhost;
    final RetainedMessages retained;
    final Access access;
    private final Counter queueFull;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-mqtt-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, MqttSession> sessions = new HashMap<>();
    private final Map<String, Set<String>> shareMembers = new HashMap<>();

    public static MqttServer create(MqttSettings settings, RoutingEngine engine) {
        return new MqttServer(settings, engine);
    }

    /** Stops the timers of session expiry and delayed wills. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    private MqttServer(MqttSettings settings, RoutingEngine engine) {
        this.settings = settings;
        this.config = settings.mqtt();
        this.vhost = engine.createVhost(config.vhost());
        this.access = new Access(settings);
        this.queueFull = Counter.builder("junction.mqtt.dropped").tag("reason", "queue_full")
                .description("Messages dropped from offline MQTT sessions past mqtt.max_queued_messages")
                .register(engine.registry());
        if (vhost.exchange(config.exchange()).isEmpty()) {
            vhost.declareExchange(new ExchangeSpec(config.exchange(), "topic", true, false, false, Map.of()), false);
        }
        vhost.declareExchange(new ExchangeSpec(DROPPED, "fanout", false, false, true, Map.of()), false);
        Queue dropped = vhost.declareQueue(QueueSpec.transientQueue(DROPPED), null, false);
        vhost.bind(Binding.toQueue(DROPPED, DROPPED, "", null), null);
        dropped.consume(ConsumerSpec.of("mqtt-drop-counter", true), new DeliverySink() {
            @Override
            public void deliver(Delivery d) {
                if ("maxlen".equals(String.valueOf(d.message().properties().header("x-last-death-reason")))) {
                    queueFull.increment();
                }
            }
        });
        this.retained = new RetainedMessages(vhost.name(), engine.store().retained());
    }

    // ---- sessions ---------------------------------------------------------------------------------------------

    record Attached(MqttSession session, boolean present, MqttConnection previous) {
    }

    /**
     * Makes {@code conn} the owner of the client id's session [MQTT-3.1.2-4, MQTT-3.1.2-5]; the previous owner, if
     * any, must be disconnected by the caller [MQTT-3.1.4-2]. A session found only as a durable queue (after a
     * restart) is rebuilt from its bindings.
     */
    synchronized Attached attach(String clientId, MqttConnection conn, boolean cleanStart) {
        MqttSession s = sessions.get(clientId);
        if (s == null && vhost.queue(TopicMapping.sessionQueue(clientId)).isPresent()) {
            s = MqttSession.recover(clientId, vhost, config.exchange());
            sessions.put(clientId, s);
        }
        MqttConnection previous = null;
        boolean present = false;
        if (s != null) {
            previous = s.owner;
            s.owner = null;
            s.cancelExpiry();
            // A session resumed before its will delay passed does not send the will [MQTT-3.1.3-9].
            s.cancelWill();
            if (cleanStart) {
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
        s.owner = conn;
        return new Attached(s, present, previous);
    }

    /** Declares the session's queue unless it exists; durable when the session outlives the connection. */
    Queue sessionQueue(MqttSession s, boolean durable) {
        return vhost.queue(s.queueName).orElseGet(() -> {
            Map<String, Object> args = new LinkedHashMap<>();
            args.put("x-max-length", (long) config.maxQueuedMessages());
            args.put("x-dead-letter-exchange", DROPPED);
            return vhost.declareQueue(new QueueSpec(s.queueName, durable, false, false, args), null, false);
        });
    }

    /** The owner connection went away: the session ends now, or when its expiry interval has passed. */
    synchronized void detach(MqttSession s, MqttConnection conn, long expirySeconds) {
        if (s.owner != conn) {
            return; // taken over: the new owner decides
        }
        s.owner = null;
        if (expirySeconds == 0) {
            endSession(s);
        } else if (expirySeconds != MqttConfig.NEVER_EXPIRE) {
            s.expiry = timer.schedule(() -> expire(s), expirySeconds, TimeUnit.SECONDS);
        }
    }

    private synchronized void expire(MqttSession s) {
        if (s.owner == null && sessions.get(s.clientId) == s) {
            LOG.debug("MQTT session '{}' expired", s.clientId);
            endSession(s);
        }
    }

    private void endSession(MqttSession s) {
        sessions.remove(s.clientId, s);
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

    /** Schedules (or, with no delay, publishes) the will of a connection that ended abnormally. */
    synchronized void scheduleWill(MqttSession s, Will will) {
        if (will.delaySeconds() <= 0 || sessions.get(s.clientId) != s) {
            publishWill(will);
            return;
        }
        s.setWill(will, timer.schedule(() -> {
            synchronized (this) {
                Will w = s.takeWill();
                if (w != null) {
                    publishWill(w);
                }
            }
        }, will.delaySeconds(), TimeUnit.SECONDS));
    }

    void publishWill(Will will) {
        try {
            publish(will.topic(), will.retain(), will.message(), false);
        } catch (BrokerException e) {
            LOG.warn("could not publish the will on '{}': {}", will.topic(), e.getMessage());
        }
    }

    /** Stores the retained copy when asked, then routes. Called from any event loop or the timer. */
    dev.junction.routing.PublishResult publish(String topic, boolean retain, Message m, boolean confirm) {
        if (retain) {
            retained.apply(topic, m);
        }
        return vhost.publish(m, confirm);
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
