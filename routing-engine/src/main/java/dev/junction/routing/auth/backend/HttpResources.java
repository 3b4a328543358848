package dev.junction.routing.auth.backend;

import dev.junction.config.VhostPermission;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * RabbitMQ's resource_path for one HTTP backend: {@code username}, {@code vhost}, {@code resource}
 * ({@code exchange} or {@code queue}), {@code name} and {@code permission} ({@code configure}, {@code write},
 * {@code read}), answered {@code allow} or {@code deny}.
 *
 * <p>Rules: answers are kept per user and question for the backend's cache TTL ({@code auth.cache_ttl_seconds}),
 * at most {@code auth.cache_max_entries} of them (when full, lapsed ones are dropped and, if none lapsed, new answers
 * go unkept); a service that could not answer says no for that operation only, and is asked again next time.
 * Answers about server-named queues are not kept: each such name is new, so no later question would find them.
 * Thread-safe.
 */
final class HttpResources {
    private record Key(String user, ResourceQuestion question) {
    }

    private record Kept(boolean allowed, long untilNanos) {
    }

    private final HttpBackend backend;
    private final URI path;
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final Map<Key, Kept> kept = new ConcurrentHashMap<>();

    HttpResources(HttpBackend backend, URI path, Duration ttl, int maxEntries, LongSupplier nanoClock) {
        this.backend = backend;
        this.path = path;
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
    }

    /** The questions of {@code user}, for a connection to ask per operation. */
    ResourceQuestions of(String user) {
        return new ResourceQuestions() {
            @Override
            public Optional<Boolean> known(ResourceQuestion q) {
                return HttpResources.this.known(new Key(user, q));
            }

            @Override
            public CompletableFuture<Boolean> ask(ResourceQuestion q) {
                return HttpResources.this.ask(new Key(user, q));
            }
        };
    }

    private Optional<Boolean> known(Key key) {
        Kept k = kept.get(key);
        if (k == null) {
            return Optional.empty();
        }
        if (nanoClock.getAsLong() - k.untilNanos() >= 0) {
            kept.remove(key, k);
            return Optional.empty();
        }
        return Optional.of(k.allowed());
    }

    private CompletableFuture<Boolean> ask(Key key) {
        return answer(key).thenApply(HttpBackend.Answer::allowed);
    }

    /** The service's answer, kept when it is one (not a failure). */
    private CompletableFuture<HttpBackend.Answer> answer(Key key) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("username", key.user());
        params.put("vhost", key.question().vhost());
        params.put("resource", key.question().resource().wireName());
        params.put("name", key.question().name());
        params.put("permission", key.question().permission().wireName());
        return backend.ask(path, params, "operations").thenApply(answer -> {
            if (answer.failure() == null) {
                keep(key, answer.allowed());
            }
            return answer;
        });
    }

    private void keep(Key key, boolean allowed) {
        if (ttlNanos <= 0 || maxEntries <= 0 || key.question().serverNamed()) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (kept.size() >= maxEntries && !kept.containsKey(key)) {
            kept.values().removeIf(k -> now - k.untilNanos() >= 0);
            if (kept.size() >= maxEntries) {
                return;
            }
        }
        kept.put(key, new Kept(allowed, now + ttlNanos));
    }

    /**
     * MQTT's implicit resources, asked at CONNECT (the MQTT adapter checks a {@link VhostPermission}, as RabbitMQ's
     * MQTT plugin checks these): write on the MQTT exchange (PUBLISH), read on it and configure, write and read on
     * the client's session queue (SUBSCRIBE). The answer is a permission naming exactly the resources allowed; for
     * an empty client id (assigned by the broker after) the queue is asked about as the bare prefix and the
     * permission covers the queue of the id assigned. Null when the service could not answer one of them: the
     * login then fails (closed) rather than living with fewer rights until the client reconnects.
     */
    CompletableFuture<VhostPermission> mqtt(String user, String vhost, String exchange, String sessionQueuePrefix,
            String clientId) {
        boolean assigned = clientId == null || clientId.isEmpty();
        String queue = sessionQueuePrefix + (assigned ? "" : clientId);
        List<ResourceQuestion> asked = List.of(
                new ResourceQuestion(vhost, ResourceQuestion.Resource.EXCHANGE, exchange, ResourceQuestion.Permission.WRITE),
                new ResourceQuestion(vhost, ResourceQuestion.Resource.EXCHANGE, exchange, ResourceQuestion.Permission.READ),
                new ResourceQuestion(vhost, ResourceQuestion.Resource.QUEUE, queue, ResourceQuestion.Permission.CONFIGURE),
                new ResourceQuestion(vhost, ResourceQuestion.Resource.QUEUE, queue, ResourceQuestion.Permission.WRITE),
                new ResourceQuestion(vhost, ResourceQuestion.Resource.QUEUE, queue, ResourceQuestion.Permission.READ));
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        for (ResourceQuestion q : asked) {
            Key key = new Key(user, q);
            answers.add(known(key).map(CompletableFuture::completedFuture).orElseGet(() -> answer(key)
                    .thenApply(a -> a.failure() != null ? null : a.allowed())));
        }
        String x = "^" + Pattern.quote(exchange) + "$";
        String qx = "^" + Pattern.quote(queue) + (assigned ? "" : "$");
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            boolean[] a = new boolean[answers.size()];
            for (int i = 0; i < a.length; i++) {
                Boolean answer = answers.get(i).join();
                if (answer == null) {
                    return null;
                }
                a[i] = answer;
            }
            return VhostPermission.of(a[2] ? qx : "", either(a[0] ? x : "", a[3] ? qx : ""),
                    either(a[1] ? x : "", a[4] ? qx : ""));
        });
    }

    private static String either(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : "(" + a + ")|(" + b + ")";
    }
}
