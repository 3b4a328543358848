package dev.junction.routing.auth.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's view of {@link ResourceQuestions}: the answers the backend remembers, plus those fetched for the
 * operation being handled. An operation that finds a question unanswered waits (asynchronously) for the answer and
 * is then handled again from the start; answers fetched meanwhile are kept here until the operation is done
 * ({@link #settled}), so that an operation with several questions gets through even when the backend remembers
 * nothing (cache TTL 0). Not thread-safe: owned by the connection's event loop.
 */
public final class ResourceAnswers {
    /** More questions than one operation asks (declare with a dead-letter exchange: five). */
    static final int MAX_PENDING = 64;

    private final ResourceQuestions questions;
    private final Map<ResourceQuestion, Boolean> fetched = new HashMap<>();

    public ResourceAnswers(ResourceQuestions questions) {
        this.questions = questions;
    }

    /** The answer to {@code q}, or empty when it must be asked first ({@link #ask}). */
    public Optional<Boolean> answer(ResourceQuestion q) {
        Boolean b = fetched.get(q);
        return b != null ? Optional.of(b) : questions.known(q);
    }

    /** Asks {@code q}; call {@link #remember} with the answer on the owning thread. Never fails. */
    public CompletableFuture<Boolean> ask(ResourceQuestion q) {
        return questions.ask(q).exceptionally(e -> false);
    }

    public void remember(ResourceQuestion q, boolean allowed) {
        if (fetched.size() >= MAX_PENDING) {
            fetched.clear(); // an operation never needs this many; bounded whatever happens
        }
        fetched.put(q, allowed);
    }

    /** The operation that needed the fetched answers is done: later ones ask the backend's cache again. */
    public void settled() {
        if (!fetched.isEmpty()) {
            fetched.clear();
        }
    }
}
