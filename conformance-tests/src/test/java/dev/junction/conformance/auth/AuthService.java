package dev.junction.conformance.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A small authentication service in the test, answering as RabbitMQ's rabbitmq_auth_backend_http contract says:
 * each path gets the form parameters (query string for GET, body for POST) and answers {@code allow [tags]} or
 * {@code deny} with status 200. Every request is recorded with its {@code path}. An answer of {@code null} holds the
 * request until {@link #close} (a service too slow to answer). Binds 127.0.0.1 on a free port.
 */
final class AuthService implements AutoCloseable {
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    AuthService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
    }

    /** Answers requests to {@code path} with {@code answer} of their parameters. */
    AuthService on(String path, Function<Map<String, String>, String> answer) {
        server.createContext(path, ex -> {
            Map<String, String> p = params(ex);
            requests.add(p);
            String body = answer.apply(p);
            if (body == null) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = "deny";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        return this;
    }

    AuthService start() {
        server.start();
        return this;
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The requests made to {@code path}. */
    List<Map<String, String>> to(String path) {
        return requests.stream().filter(r -> path.equals(r.get("path"))).toList();
    }

    /** A request's form or query parameters, with its method and path, as RabbitMQ's HTTP backend sends them. */
    static Map<String, String> params(HttpExchange ex) throws IOException {
        String raw = ex.getRequestMethod().equals("POST")
                ? new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                : ex.getRequestURI().getRawQuery();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("method", ex.getRequestMethod());
        out.put("path", ex.getRequestURI().getPath());
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
