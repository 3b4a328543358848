package dev.junction.broker.management;

import dev.junction.config.UserConfig;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Policy;
import dev.junction.routing.exchange.DelayedExchange;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.stream.Stream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON objects of RabbitMQ's management API, field for field where Junction has the same concept. */
final class Views {
    static final String SHA256 = "rabbit_password_hashing_sha256";
    static final String SHA512 = "rabbit_password_hashing_sha512";
    /** Junction's own default (PBKDF2-HMAC-SHA512); RabbitMQ has no such algorithm and cannot import it. */
    static final String PBKDF2 = "junction_password_hashing_pbkdf2_sha512";
    static final java.util.List<String> HASHING_ALGORITHMS = java.util.List.of(SHA256, SHA512, PBKDF2);

    private Views() {
    }

    static Map<String, Object> queue(VirtualHost v, Queue q, String node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", q.name());
        m.put("vhost", v.name());
        m.put("type", dev.junction.routing.quorum.QuorumArguments.requested(q.spec().arguments())
                ? dev.junction.routing.quorum.QuorumArguments.TYPE : "classic");
        m.put("durable", q.durable());
        m.put("auto_delete", q.spec().autoDelete());
        m.put("exclusive", q.spec().exclusive());
        m.put("arguments", Values.toJson(q.spec().arguments()));
        m.put("node", node);
        m.put("state", "running");
        dev.junction.routing.queue.QueueCounts counts = q.counts(); // one moment's: messages = ready + unacked
        int ready = counts.ready();
        int unacked = counts.unacked();
        m.put("messages", ready + unacked);
        m.put("messages_ready", ready);
        m.put("messages_unacknowledged", unacked);
        m.put("message_bytes_ready", q.messageBytes());
        m.put("messages_paged_out", q.pagedCount());
        if (dev.junction.routing.quorum.QuorumArguments.requested(q.spec().arguments())) {
            // RabbitMQ's quorum queues show what at-least-once dead-lettering keeps apart from messages.
            m.put("messages_dlx", counts.deadLetters());
        }
        m.put("consumers", counts.consumers());
        lag(m, q);
        policy(m, q.arguments().policy());
        return m;
    }

    /**
     * A stream as RabbitMQ lists one: type {@code stream}, always durable, {@code messages} the entries its retained
     * log holds (a stream has no ready/unacked split: reading does not remove). Beyond RabbitMQ's fields, Junction's
     * own view of the log: {@code stream_bytes} and {@code stream_segments} on disk, {@code stream_first_offset} and
     * {@code stream_last_offset} (null while the stream holds nothing).
     */
    static Map<String, Object> stream(VirtualHost v, Stream s, String node) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("vhost", v.name());
        m.put("type", "stream");
        m.put("durable", true);
        m.put("auto_delete", false);
        m.put("exclusive", false);
        m.put("arguments", Values.toJson(s.spec().arguments()));
        m.put("node", node);
        m.put("state", "running");
        m.put("messages", s.messageCount());
        m.put("messages_ready", s.messageCount());
        m.put("messages_unacknowledged", 0);
        m.put("consumers", s.consumerCount());
        long first = s.log().first();
        long end = s.log().end();
        m.put("stream_bytes", s.log().bytes());
        m.put("stream_segments", s.log().segmentCount());
        m.put("stream_first_offset", first < end ? first : null);
        m.put("stream_last_offset", first < end ? end - 1 : null);
        policy(m, s.arguments().policy());
        return m;
    }

    /**
     * How far behind the queue's consumers are: RabbitMQ's {@code head_message_timestamp} (here the oldest ready
     * message's arrival, in seconds since the epoch; null when none is ready), Junction's own
     * {@code oldest_ready_age_seconds}, and RabbitMQ's {@code consumer_utilisation} over the last sampling window
     * (null without consumers).
     */
    private static void lag(Map<String, Object> m, Queue q) {
        long oldest = q.stats().oldestReadyAt();
        m.put("head_message_timestamp", oldest == 0 ? null : oldest / 1000);
        m.put("oldest_ready_age_seconds", Math.round(q.stats().oldestReadyAgeSeconds(System.currentTimeMillis())
                * 1000) / 1000.0);
        double utilisation = q.stats().consumerUtilisation();
        m.put("consumer_utilisation", Double.isNaN(utilisation) || q.consumerCount() == 0 ? null
                : Math.round(utilisation * 1000) / 1000.0);
    }

    static Map<String, Object> exchange(String vhost, Exchange x) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", x.name());
        m.put("vhost", vhost);
        m.put("type", x.type().wireName());
        m.put("durable", x.durable());
        m.put("auto_delete", x.autoDelete());
        m.put("internal", x.internal());
        m.put("arguments", Values.toJson(x.arguments()));
        if (x instanceof DelayedExchange delayed) {
            m.put("delayed_pending", delayed.pending()); // beyond RabbitMQ's plugin: messages held, not yet due
        }
        policy(m, x.policy());
        return m;
    }

    /**
     * The policy that applies ({@code null} for none) and its definition as RabbitMQ shows it: the policy's keys as
     * given, whether or not an argument of the object wins over one of them.
     */
    private static void policy(Map<String, Object> m, Policy p) {
        m.put("policy", p == null ? null : p.name());
        m.put("effective_policy_definition", p == null ? Map.of() : Values.toJson(p.definition()));
    }

    /** RabbitMQ lists the default exchange with an empty name although no client can declare it. */
    static Map<String, Object> defaultExchange(String vhost) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "");
        m.put("vhost", vhost);
        m.put("type", "direct");
        m.put("durable", true);
        m.put("auto_delete", false);
        m.put("internal", false);
        m.put("arguments", Map.of());
        policy(m, null);
        return m;
    }

    static Map<String, Object> binding(String vhost, Binding b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", b.source());
        m.put("vhost", vhost);
        m.put("destination", b.destination());
        m.put("destination_type", b.toQueue() ? "queue" : "exchange");
        m.put("routing_key", b.routingKey());
        m.put("arguments", Values.toJson(b.arguments()));
        m.put("properties_key", propertiesKey(b.routingKey(), b.arguments()));
        return m;
    }

    /** Every queue is bound to the default exchange by its name; RabbitMQ lists these bindings too. */
    static Map<String, Object> defaultBinding(String vhost, Queue q) {
        return binding(vhost, Binding.toQueue("", q.name(), q.name(), Map.of()));
    }

    /**
     * Names a binding in URLs, as RabbitMQ does: "~" for an empty routing key without arguments, the routing key
     * when there are no arguments, else the routing key, "~" and a digest of the arguments.
     */
    static String propertiesKey(String routingKey, Map<String, Object> arguments) {
        if (arguments == null || arguments.isEmpty()) {
            return routingKey.isEmpty() ? "~" : routingKey;
        }
        String digest = Integer.toHexString(new java.util.TreeMap<>(Values.toJson(arguments)).toString().hashCode());
        return routingKey + "~" + digest;
    }

    static Map<String, Object> vhost(VirtualHost v) {
        long ready = 0;
        long unacked = 0;
        for (Queue q : v.queues()) {
            dev.junction.routing.queue.QueueCounts counts = q.counts();
            ready += counts.ready();
            unacked += counts.unacked();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("description", "");
        m.put("tags", List.of());
        m.put("tracing", false);
        m.put("messages", ready + unacked);
        m.put("messages_ready", ready);
        m.put("messages_unacknowledged", unacked);
        return m;
    }

    static Map<String, Object> user(UserConfig u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("password_hash", UserDirectory.passwordHash(u));
        m.put("hashing_algorithm", hashingAlgorithm((String) m.get("password_hash")));
        m.put("tags", new ArrayList<>(u.tags()));
        m.put("limits", Map.of());
        return m;
    }

    /**
     * The algorithm name RabbitMQ's definitions give a hash: the format tells (PasswordHash: "$pbkdf2-sha512$..." or
     * base64 of a 4-byte salt and a SHA-256 or SHA-512 digest).
     */
    static String hashingAlgorithm(String hash) {
        if (hash == null || hash.isEmpty()) {
            return SHA256;
        }
        if (hash.startsWith("$")) {
            return PBKDF2;
        }
        try {
            return java.util.Base64.getDecoder().decode(hash).length == 4 + 64 ? SHA512 : SHA256;
        } catch (IllegalArgumentException e) {
            return SHA256;
        }
    }

    static Map<String, Object> permission(UserConfig u, String vhost) {
        var p = u.permissions().get(vhost);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", u.name());
        m.put("vhost", vhost);
        m.put("configure", p.configure().pattern());
        m.put("write", p.write().pattern());
        m.put("read", p.read().pattern());
        return m;
    }

    static List<Map<String, Object>> topicPermissions(UserConfig u, String vhost) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var t : u.topicPermissions().getOrDefault(vhost, List.of())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", u.name());
            m.put("vhost", vhost);
            m.put("exchange", t.exchange());
            m.put("write", t.write());
            m.put("read", t.read());
            out.add(m);
        }
        return out;
    }
}
