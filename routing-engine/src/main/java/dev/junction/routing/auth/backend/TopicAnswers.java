package dev.junction.routing.auth.backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's answers to {@link TopicQuestions}, kept so a topic seen before costs a lookup. Bounded
 * ({@value #CAPACITY} answers, least recently used dropped first; keys longer than {@value #MAX_KEY_CHARS}
 * characters are asked each time and kept only until the next question). An unknown key is refused, so an answer
 * dropped between asking and checking fails closed. Not thread-safe: owned by the connection's event loop.
 */
public final class TopicAnswers {
    static final int CAPACITY = 1024;
    static final int MAX_KEY_CHARS = 256;

    private final TopicQuestions questions;
    private final String vhost;
    private final String exchange;
    private final Map<String, String> variables;
    private final Map<String, Boolean> known = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };
    private Map<String, Boolean> transientAnswers = Map.of();

    public TopicAnswers(TopicQuestions questions, String vhost, String exchange, Map<String, String> variables) {
        this.questions = questions;
        this.vhost = vhost;
        this.exchange = exchange;
        this.variables = Map.copyOf(variables);
    }

    /** The keys among {@code keys} (see {@link TopicQuestions#key}) with no answer yet. */
    public List<String> missing(Collection<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (!known.containsKey(k) && !out.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Asks about {@code keys}; call {@link #remember} with the answers on the owning thread. */
    public java.util.concurrent.CompletableFuture<Map<String, Boolean>> ask(Collection<String> keys) {
        return questions.ask(vhost, exchange, keys, variables);
    }

    public void remember(Map<String, Boolean> answers) {
        Map<String, Boolean> longOnes = new LinkedHashMap<>();
        answers.forEach((k, v) -> {
            if (k.length() > MAX_KEY_CHARS) {
                longOnes.put(k, v);
            } else {
                known.put(k, v);
            }
        });
        transientAnswers = longOnes;
    }

    /** Whether the answer for {@code permission} on {@code routingKey} was allow; unknown is no. */
    public boolean allowed(String permission, String routingKey) {
        String k = TopicQuestions.key(permission, routingKey);
        Boolean v = known.get(k);
        if (v == null) {
            v = transientAnswers.get(k);
        }
        return v != null && v;
    }
}
