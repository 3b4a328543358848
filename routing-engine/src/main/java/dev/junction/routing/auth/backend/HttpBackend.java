package dev.junction.routing.auth.backend;

import dev.junction.config.AuthConfig;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.guard.LogLimiter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks an HTTP service, with the contract of RabbitMQ's rabbitmq_auth_backend_http, so services written for
 * RabbitMQ work unchanged:
 * <ul>
 *   <li>{@code user_path} with {@code username} and {@code password}: the body {@code allow}, {@code deny} or
 *       {@code allow <tag> <tag>...} (the user's tags, such as {@code administrator});</li>
 *   <li>{@code vhost_path} with {@code username}, {@code vhost} and {@code ip}, once per vhost the login may use:
 *       {@code allow} or {@code deny}. Without a vhost_path every vhost of {@code rights_from} is allowed.</li>
 *   <li>{@code resource_path} with {@code username}, {@code vhost}, {@code resource} ({@code exchange} or
 *       {@code queue}), {@code name} and {@code permission} ({@code configure}, {@code write}, {@code read}):
 *       {@code allow} or {@code deny}, asked per operation by the AMQP adapter ({@link ResourceQuestions}) and at
 *       CONNECT for MQTT's implicit resources ({@link HttpResources#mqtt}).</li>
 *   <li>{@code topic_path} with {@code username}, {@code vhost}, {@code resource}, {@code name},
 *       {@code permission}, {@code routing_key} and {@code variable_map.*}: {@code allow} or {@code deny}, asked
 *       by the adapters for publishes and bindings on topic exchanges ({@link TopicQuestions}).</li>
 * </ul>
 * Parameters go in the query string (GET) or as an {@code application/x-www-form-urlencoded} body (POST).
 * With a resource_path every vhost may be asked about at vhost_path, and configure/write/read come from its
 * answers. Without one, the rights inside an allowed vhost (configure/write/read) are those of the internal user
 * named by {@code rights_from}, and without that the user may log in but use no vhost. The topic permissions and
 * MQTT ACL of {@code rights_from} apply in both cases.
 *
 * <p>Rules: anything but a 200 whose body starts with {@code allow} refuses (fails closed): {@code deny}, other
 * statuses, other bodies, a timeout ({@code timeout_ms}, for the whole request), a service that cannot be reached.
 * Failures are logged at most once per {@value #LOG_INTERVAL_SECONDS} s, naming how many were suppressed. Calls
 * run on the JDK HTTP client's own threads, never on an event loop.
 */
public final class HttpBackend implements AuthBackend, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpBackend.class);
    static final int LOG_INTERVAL_SECONDS = 30;
    /** Longest answer read; a RabbitMQ auth answer is a word and a few tags. */
    private static final int MAX_BODY_CHARS = 4096;

    /** The name prefix of MQTT session queues (the MQTT adapter's {@code TopicMapping.sessionQueue}). */
    static final String MQTT_SESSION_PREFIX = "mqtt.session.";

    private final AuthConfig.Http config;
    private final Optional<UserConfig> rights;
    private final String mqttExchange;
    private final HttpResources resources;
    private final ExecutorService executor;
    private final HttpClient client;
    private final LogLimiter failures = new LogLimiter(LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);

    public HttpBackend(AuthConfig.Http config, List<UserConfig> users) {
        this(config, users, Duration.ofSeconds(60), 10_000, "amq.topic");
    }

    /**
     * {@code cacheTtl} and {@code cacheMaxEntries} bound the answers kept from resource_path; {@code mqttExchange}
     * is the exchange MQTT publishes to and subscribes from.
     */
    public HttpBackend(AuthConfig.Http config, List<UserConfig> users, Duration cacheTtl, int cacheMaxEntries,
            String mqttExchange) {
        this.config = config;
        this.rights = config.rightsFrom().flatMap(n -> users.stream().filter(u -> u.name().equals(n)).findFirst());
        this.mqttExchange = mqttExchange;
        this.resources = config.resourcePath().map(p -> new HttpResources(this, p, cacheTtl, cacheMaxEntries,
                System::nanoTime)).orElse(null);
        AtomicInteger n = new AtomicInteger();
        // A small pool of daemon threads for the client's callbacks: a slow service never holds an event loop.
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "junction-auth-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "http";
    }

    @Override
    public CompletableFuture<Verdict> check(Credentials c) {
        if (c.userName() == null || c.password() == null) {
            return CompletableFuture.completedFuture(Verdict.deny("no user name or password"));
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("username", c.userName());
        params.put("password", c.password());
        return ask(config.userPath(), params, "logins").thenCompose(answer -> {
            if (answer.failure() != null) {
                return CompletableFuture.completedFuture(Verdict.error(answer.failure()));
            }
            if (!answer.allowed()) {
                return CompletableFuture.completedFuture(Verdict.deny("the HTTP auth service denied user '"
                        + c.userName() + "'"));
            }
            return vhosts(c).thenCompose(allowed -> {
                if (allowed.failure() != null) {
                    return CompletableFuture.completedFuture(Verdict.error(allowed.failure()));
                }
                return permissions(c, allowed.vhosts()).thenApply(permissions -> {
                    if (permissions == null) {
                        return Verdict.error("the HTTP auth service did not answer resource_path for the MQTT login");
                    }
                    UserConfig user = user(c.userName(), answer.tags(), permissions);
                    Optional<TopicQuestions> topics = config.topicPath().isEmpty() ? Optional.empty()
                            : Optional.of((vhost, exchange, keys, variables) ->
                                    topics(c.userName(), vhost, exchange, keys, variables));
                    return Verdict.allow(user, topics, Optional.ofNullable(resources).map(r -> r.of(c.userName())));
                });
            });
        });
    }

    /**
     * The vhost permissions of the user in each allowed vhost: the template's, or with a resource_path a
     * permission that allows nothing by itself (the AMQP adapter asks resource_path per operation instead), except
     * for an MQTT login, whose implicit resources are asked now (null when the service did not answer them).
     */
    private CompletableFuture<Map<String, VhostPermission>> permissions(Credentials c, List<String> vhosts) {
        Map<String, VhostPermission> out = new LinkedHashMap<>();
        if (resources == null) {
            UserConfig template = rights.orElse(null);
            if (template != null) {
                for (String v : vhosts) {
                    template.permissionsFor(v).ifPresent(p -> out.put(v, p));
                }
            }
            return CompletableFuture.completedFuture(out);
        }
        for (String v : vhosts) {
            out.put(v, VhostPermission.of("", "", ""));
        }
        if (!c.protocol().equals("mqtt") || vhosts.isEmpty()) {
            return CompletableFuture.completedFuture(out);
        }
        String vhost = vhosts.get(0);
        return resources.mqtt(c.userName(), vhost, mqttExchange, MQTT_SESSION_PREFIX, c.clientId()).thenApply(p -> {
            if (p == null) {
                return null; // a question went unanswered: the login fails closed
            }
            out.put(vhost, p);
            return out;
        });
    }

    record Answer(boolean allowed, List<String> tags, String failure) {
    }

    private record Vhosts(List<String> vhosts, String failure) {
    }

    /** Asks vhost_path about each vhost the rights template grants and the login may use. */
    private CompletableFuture<Vhosts> vhosts(Credentials c) {
        // With a resource_path every vhost may be asked about; otherwise those the rights template has.
        List<String> candidates = resources != null ? c.vhosts() : rights.map(u -> c.vhosts().stream()
                .filter(v -> u.permissionsFor(v).isPresent()).toList()).orElse(List.of());
        if (config.vhostPath().isEmpty() || candidates.isEmpty()) {
            return CompletableFuture.completedFuture(new Vhosts(candidates, null));
        }
        List<CompletableFuture<Answer>> asks = new ArrayList<>();
        for (String vhost : candidates) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("username", c.userName());
            params.put("vhost", vhost);
            params.put("ip", c.peer() == null ? "" : c.peer().getHostAddress());
            asks.add(ask(config.vhostPath().get(), params, "logins"));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<String> allowed = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                Answer a = asks.get(i).join();
                if (a.failure() != null) {
                    return new Vhosts(List.of(), a.failure());
                }
                if (a.allowed()) {
                    allowed.add(candidates.get(i));
                }
            }
            return new Vhosts(allowed, null);
        });
    }

    /**
     * topic_path, once per key: {@code username}, {@code vhost}, {@code resource=topic}, {@code name} (the
     * exchange), {@code permission} (write or read), {@code routing_key} and {@code variable_map.*} (RabbitMQ's
     * names: client_id, username, vhost). A key without an answer is refused.
     */
    private CompletableFuture<Map<String, Boolean>> topics(String user, String vhost, String exchange,
            java.util.Collection<String> keys, Map<String, String> variables) {
        Map<String, CompletableFuture<Answer>> asks = new LinkedHashMap<>();
        for (String key : keys) {
            int nl = key.indexOf('\n');
            Map<String, String> params = new LinkedHashMap<>();
            params.put("username", user);
            params.put("vhost", vhost);
            params.put("resource", "topic");
            params.put("name", exchange);
            params.put("permission", key.substring(0, nl));
            params.put("routing_key", key.substring(nl + 1));
            variables.forEach((k, v) -> params.put("variable_map." + k, v));
            asks.put(key, ask(config.topicPath().get(), params, "operations"));
        }
        return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Boolean> out = new LinkedHashMap<>();
            asks.forEach((k, f) -> out.put(k, f.join().allowed()));
            return out;
        });
    }

    private UserConfig user(String name, List<String> tags, Map<String, VhostPermission> permissions) {
        UserConfig template = rights.orElse(null);
        return new UserConfig(name, Optional.empty(), Optional.empty(), tags, false, permissions,
                template == null ? List.of() : template.acl(),
                template == null ? Map.of() : template.topicPermissions());
    }

    /**
     * One request; {@code refused} names what a failure refuses, for the log line ({@code logins},
     * {@code operations}). Never completes exceptionally.
     */
    CompletableFuture<Answer> ask(URI path, Map<String, String> params, String refused) {
        StringBuilder form = new StringBuilder();
        params.forEach((k, v) -> form.append(form.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request;
        if (config.method() == AuthConfig.HttpMethod.POST) {
            request = HttpRequest.newBuilder(path).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        } else {
            String sep = path.getRawQuery() == null ? "?" : "&";
            request = HttpRequest.newBuilder(URI.create(path + sep + form)).GET();
        }
        request.timeout(config.timeout());
        CompletableFuture<Answer> out;
        try {
            out = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, e) -> {
                if (e != null) {
                    return failure(path, "no answer: " + describe(e), refused);
                }
                if (response.statusCode() != 200) {
                    return failure(path, "HTTP status " + response.statusCode(), refused);
                }
                return parse(response.body());
            });
        } catch (RuntimeException e) {
            out = CompletableFuture.completedFuture(failure(path, "request failed: " + describe(e), refused));
        }
        return out;
    }

    /** RabbitMQ's answers: "allow", "allow tag1 tag2", "deny"; case-insensitive keywords, blanks trimmed. */
    static Answer parse(String body) {
        String text = body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) : body;
        String[] words = text.trim().split("\\s+");
        if (words.length > 0 && words[0].toLowerCase(Locale.ROOT).equals("allow")) {
            return new Answer(true, List.copyOf(Arrays.asList(words).subList(1, words.length)), null);
        }
        // "deny" and anything unexpected refuse.
        return new Answer(false, List.of(), null);
    }

    private Answer failure(URI path, String what, String refused) {
        String reason = "the HTTP auth service at " + path + " failed: " + what;
        failures.log(LOG::warn, "failure", "{}; " + refused + " it is asked about are refused", reason);
        return new Answer(false, List.of(), reason);
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
