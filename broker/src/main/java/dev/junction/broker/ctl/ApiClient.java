package dev.junction.broker.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

/**
 * The management API as {@code ctl} uses it: one blocking request at a time with basic auth, answers as JSON, and
 * every failure turned into a {@link CtlException} with the exit code it deserves. A 404 with RabbitMQ's generic body
 * ("Object Not Found") names what was looked for, since that body cannot say whether the object or the whole
 * endpoint is missing; a 404 whose reason is the API's own ("'n9' is not a member of the cluster") prints that
 * reason, as every other refusal does.
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Endpoint endpoint;
    private final Duration timeout;
    private final HttpClient http;

    ApiClient(Endpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** {@code /api/} followed by the segments, each percent-encoded on its own ({@code %2F} for the vhost "/"). */
    static String path(String... segments) {
        return "/api/" + Stream.of(segments).map(ApiClient::encode).collect(Collectors.joining("/"));
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** GET a JSON document; {@code missing} says what a 404 means ("queue 'q' in vhost '/'"). */
    JsonNode get(String path, String missing) throws CtlException {
        return parse(send("GET", path, null, Map.of(), missing), path);
    }

    /**
     * GET a JSON document that may also come with {@code alsoAccepted} (RabbitMQ's health checks answer 503 with
     * a body that says what is wrong).
     */
    JsonNode get(String path, int alsoAccepted, String missing) throws CtlException {
        return parse(send("GET", path, null, Map.of(), missing, alsoAccepted), path);
    }

    /** A request whose answer is a JSON document, such as a change that reports what it did. */
    JsonNode callForDocument(String method, String path, Object body, String missing) throws CtlException {
        return parse(send(method, path, body, Map.of(), missing), path);
    }

    /** A request whose answer body is not needed; returns the status (2xx only, the rest are thrown). */
    int call(String method, String path, Object body, String missing) throws CtlException {
        return send(method, path, body, Map.of(), missing).statusCode();
    }

    /** As {@link #call} with extra headers (such as RabbitMQ's {@code X-Reason} on a connection close). */
    int call(String method, String path, Object body, Map<String, String> headers, String missing)
            throws CtlException {
        return send(method, path, body, headers, missing).statusCode();
    }

    /** The raw answer of a GET, for documents written out as they are (definitions). */
    String getText(String path, String missing) throws CtlException {
        return send("GET", path, null, Map.of(), missing).body();
    }

    /** Whether {@code path} answers 200 to a GET (an object exists); 404 is false, other refusals are thrown. */
    boolean exists(String path) throws CtlException {
        try {
            send("GET", path, null, Map.of(), "");
            return true;
        } catch (NotFound e) {
            return false;
        }
    }

    private HttpResponse<String> send(String method, String path, Object body, Map<String, String> headers,
                                      String missing) throws CtlException {
        return send(method, path, body, headers, missing, 0);
    }

    private HttpResponse<String> send(String method, String path, Object body, Map<String, String> headers,
                                      String missing, int alsoAccepted) throws CtlException {
        URI uri = URI.create(endpoint.base() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (endpoint.user() + ":" + endpoint.password()).getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(text(body), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(ExitCode.UNREACHABLE, "interrupted while waiting for " + endpoint.base());
        } catch (IOException e) {
            throw unreachable(e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300 || status == alsoAccepted) {
            return response;
        }
        String reason = reason(response.body());
        throw switch (status) {
            case 404 -> new NotFound(ownReason(response.body()).or(() -> Optional.of(missing))
                    .filter(what -> !what.isEmpty())
                    .map(what -> "not found: " + what + " (" + method + " " + path + " answered 404)")
                    .orElse("not found: " + method + " " + path));
            case 401, 403 -> CtlException.refused("refused: " + reason + " (user '" + endpoint.user() + "', "
                    + method + " " + path + ")");
            case 405 -> CtlException.refused("this broker does not support " + method + " " + path
                    + " (405 Method Not Allowed)");
            default -> CtlException.refused(method + " " + path + " failed with " + status + ": " + reason);
        };
    }

    private CtlException unreachable(IOException e) {
        String why;
        if (e instanceof ConnectException) {
            why = "connection refused (is the broker running, with listeners.http enabled?)";
        } else if (e instanceof HttpConnectTimeoutException) {
            why = "no answer within " + timeout.toSeconds() + " s to connect";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + timeout.toSeconds() + " s (--timeout)";
        } else if (e instanceof SSLException) {
            why = "TLS failed: " + e.getMessage();
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new CtlException(ExitCode.UNREACHABLE, "cannot connect to " + endpoint.base() + ": " + why);
    }

    /** The {@code reason} of RabbitMQ's error body, else the body itself (shortened), else nothing. */
    private static String reason(String body) {
        Optional<String> reason = jsonReason(body);
        if (reason.isPresent()) {
            return reason.get();
        }
        String text = body == null ? "" : body.strip();
        return text.isEmpty() ? "(no reason given)" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** The {@code reason} of a JSON error body, if it has one. */
    private static Optional<String> jsonReason(String body) {
        try {
            JsonNode node = body == null ? null : JSON.readTree(body);
            if (node != null && node.hasNonNull("reason")) {
                return Optional.of(node.get("reason").asText());
            }
        } catch (JsonProcessingException notJson) {
            // no reason to give
        }
        return Optional.empty();
    }

    /**
     * A 404's reason when it is the API's own, not RabbitMQ's generic "Not Found" for any missing object or path
     * (which {@link ApiClient} replaces with what the verb looked for).
     */
    private static Optional<String> ownReason(String body) {
        return jsonReason(body).map(String::strip).filter(r -> !r.isEmpty() && !r.equalsIgnoreCase("Not Found"));
    }

    private static String text(Object body) {
        if (body instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write request body", e);
        }
    }

    private static JsonNode parse(HttpResponse<String> response, String path) throws CtlException {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw CtlException.refused("GET " + path + " did not answer JSON: " + e.getOriginalMessage());
        }
    }

    /** A 404, kept apart so that {@link #exists} can tell it from other refusals. */
    static final class NotFound extends CtlException {
        NotFound(String message) {
            super(ExitCode.REFUSED, message);
        }
    }
}
