package dev.junction.routing.auth.backend;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Rights on exchanges and queues that a backend decides per operation (RabbitMQ's resource_path), for one logged-in
 * user. Rules: {@link #known} never blocks and answers from what the backend remembers (within its cache TTL);
 * {@link #ask} asks off the caller's thread and never completes exceptionally: a backend that could not answer
 * says no (fail closed).
 */
public interface ResourceQuestions {
    /** The answer the backend still remembers, or empty. Any thread. */
    Optional<Boolean> known(ResourceQuestion question);

    /** Asks the backend; completes on one of its threads. */
    CompletableFuture<Boolean> ask(ResourceQuestion question);
}
