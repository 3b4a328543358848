package dev.junction.routing.auth.backend;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Topic rights a backend decides per request (RabbitMQ's topic_path): may this user {@code write} (publish with) or
 * {@code read} (bind with) a routing key on an exchange. Asked by the adapters off the event loop; every question
 * gets an answer, false when the backend could not answer (fail closed).
 */
public interface TopicQuestions {
    /** Answers keyed by {@link #key}. */
    CompletableFuture<Map<String, Boolean>> ask(String vhost, String exchange, Collection<String> keys,
            Map<String, String> variables);

    /** A question's key: the permission ({@code write} or {@code read}), a newline, the routing or binding key. */
    static String key(String permission, String routingKey) {
        return permission + "\n" + routingKey;
    }
}
