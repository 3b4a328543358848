package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.TopicIndex;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's status under {@code $SYS/broker/}, in Mosquitto's layout (mosquitto(8), "BROKER STATUS") for what
 * Junction has too: version, uptime, clients, packets and bytes, subscriptions, retained messages and load averages.
 * Published every {@code mqtt.sys_interval} seconds on the shared MQTT timer, as retained QoS 0 messages on the
 * MQTT exchange, so subscribers of {@code $SYS/#} get them as any message, through the engine.
 *
 * <ul>
 *   <li>Only topics whose value changed since the last interval are published (uptime always changes); a new
 *       subscriber gets the current value of each as a retained message at SUBSCRIBE [MQTT-3.3.1-9]. The retained
 *       values live in memory only ({@link RetainedMessages#keep}): a restart starts them afresh.</li>
 *   <li>Nothing enters the engine for a topic nobody is bound to receive, so a broker without {@code $SYS}
 *       subscribers counts no unroutable messages for them.</li>
 *   <li>Who may read them is the ordinary authorization: a {@code #} filter does not match a topic beginning with
 *       '$' [MQTT-4.7.2-1], so an ACL must name {@code $SYS/...} to grant it, and every delivery is checked.
 *       Clients cannot publish to them: no client publishes to a '$' topic (see {@code UserRights}).</li>
 * </ul>
 * The counters are {@link SysCounters}; the last values and load averages belong to the timer thread.
 */
final class SysTopics {
    private static final Logger LOG = LoggerFactory.getLogger(SysTopics.class);

    static final String ROOT = "$SYS";
    static final String BROKER = ROOT + "/broker/";
    private static final int[] LOAD_WINDOWS_MINUTES = {1, 5, 15};

    final SysCounters counters = new SysCounters();
    private final MqttServer server;
    private final long startedAt = System.nanoTime();
    private final String version;
    /** The value each topic last had; only the timer thread touches it. */
    private final Map<String, String> last = new HashMap<>();
    /** Per load topic ({@code messages/received/1min}, ...): its average. */
    private final Map<String, LoadAverage> loads = new HashMap<>();
    /** Per counted quantity: its count at the previous interval. */
    private final Map<String, Long> previousCounts = new HashMap<>();
    private long previousTick;
    /** Set when a publication failed, so that a lasting failure is logged once, not every interval. */
    private boolean failing;

    SysTopics(MqttServer server) {
        this.server = server;
        String v = SysTopics.class.getPackage().getImplementationVersion();
        this.version = v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /** Publishes now and then every {@code intervalSeconds} on {@code timer}, until the timer is shut down. */
    void start(ScheduledExecutorService timer, int intervalSeconds) {
        timer.scheduleAtFixedRate(this::publishAll, 0, intervalSeconds, TimeUnit.SECONDS);
    }

    /** One interval. Never throws: a scheduled task that throws is not run again. */
    private void publishAll() {
        try {
            Audience audience = Audience.of(server.vhost.bindingsFrom(server.config.exchange()));
            for (Map.Entry<String, String> e : values(System.nanoTime(), audience.subscriptions()).entrySet()) {
                if (!e.getValue().equals(last.put(e.getKey(), e.getValue()))) {
                    publish(BROKER + e.getKey(), e.getValue(), audience);
                }
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("could not publish the $SYS topics: {}", e.toString());
            }
        }
    }

    /** The topic under {@code $SYS/broker/} → its value now, as Mosquitto writes them (plain decimal text). */
    Map<String, String> values(long now, long subscriptions) {
        SysCounters c = counters;
        int connected = c.connected();
        // Every connected client has a session in the registry; the rest are persistent sessions awaiting expiry.
        long total = Math.max(server.sessions.size(), connected);
        Map<String, String> v = new LinkedHashMap<>();
        v.put("version", "junction version " + version);
        v.put("uptime", TimeUnit.NANOSECONDS.toSeconds(now - startedAt) + " seconds");
        v.put("clients/connected", Integer.toString(connected));
        v.put("clients/disconnected", Long.toString(total - connected));
        v.put("clients/total", Long.toString(total));
        v.put("clients/maximum", Integer.toString(c.maximum()));
        v.put("messages/received", Long.toString(c.packetsReceived.sum()));
        v.put("messages/sent", Long.toString(c.packetsSent.sum()));
        v.put("publish/messages/received", Long.toString(c.publishReceived.sum()));
        v.put("publish/messages/sent", Long.toString(c.publishSent.sum()));
        v.put("bytes/received", Long.toString(c.bytesReceived.sum()));
        v.put("bytes/sent", Long.toString(c.bytesSent.sum()));
        v.put("subscriptions/count", Long.toString(subscriptions));
        v.put("retained messages/count", Long.toString(server.retained.size() + server.retained.kept()));
        load(v, now, "messages/received", c.packetsReceived);
        load(v, now, "messages/sent", c.packetsSent);
        load(v, now, "publish/received", c.publishReceived);
        load(v, now, "publish/sent", c.publishSent);
        load(v, now, "bytes/received", c.bytesReceived);
        load(v, now, "bytes/sent", c.bytesSent);
        load(v, now, "connections", c.connects);
        previousTick = now;
        return v;
    }

    /** {@code load/<name>/1min}, {@code 5min} and {@code 15min}: events per minute; from the second interval on. */
    private void load(Map<String, String> v, long now, String name, LongAdder counter) {
        long count = counter.sum();
        Long before = previousCounts.put(name, count);
        if (before == null || now <= previousTick) {
            return;
        }
        double elapsed = (now - previousTick) / 1e9;
        for (int minutes : LOAD_WINDOWS_MINUTES) {
            String topic = "load/" + name + "/" + minutes + "min";
            double avg = loads.computeIfAbsent(topic, t -> new LoadAverage(minutes)).update(count - before, elapsed);
            v.put(topic, String.format(Locale.ROOT, "%.2f", avg));
        }
    }

    /** Keeps {@code value} as the topic's retained message and routes it, if anyone would receive it. */
    private void publish(String topic, String value, Audience audience) {
        Message m = PropertyMapping.fromPublish(server.config.exchange(), topic, 0, true, null,
                value.getBytes(StandardCharsets.UTF_8), null, null, System.currentTimeMillis());
        server.retained.keep(topic, m);
        if (audience.reaches(topic)) {
            server.vhost.publish(m, false);
        }
    }

    /**
     * Who would receive a {@code $SYS} message now, from the MQTT exchange's bindings: MQTT subscriptions whose
     * filter begins with {@code $SYS} (no other MQTT filter matches it [MQTT-4.7.2-1]), and any AMQP binding whose
     * first word is {@code $SYS}: the MQTT exchange keeps the '$' rule for AMQP bindings too
     * ({@code Vhost.useMqttTopicRules}), so {@code #} and {@code *} do not match it. {@code subscriptions}
     * is the number of MQTT subscriptions (a shared subscription's group counts once).
     */
    static final class Audience {
        private final TopicIndex<Boolean> filters = new TopicIndex<>();
        private boolean everything;
        private long subscriptions;

        static Audience of(List<Binding> bindings) {
            Audience a = new Audience();
            for (Binding b : bindings) {
                String key = b.routingKey();
                if (b.arguments().containsKey(Binding.MQTT_FILTER_ARGUMENT)) {
                    a.subscriptions++;
                    if (key.equals(ROOT) || key.startsWith(ROOT + ".")) {
                        a.filters.add(TopicMapping.toFilter(key), Boolean.TRUE);
                    }
                } else {
                    int dot = key.indexOf('.');
                    String first = dot < 0 ? key : key.substring(0, dot);
                    a.everything |= first.equals(ROOT);
                }
            }
            return a;
        }

        long subscriptions() {
            return subscriptions;
        }

        boolean reaches(String topic) {
            if (everything) {
                return true;
            }
            boolean[] hit = new boolean[1];
            filters.match(TopicMapping.levels(topic), v -> hit[0] = true);
            return hit[0];
        }
    }
}
