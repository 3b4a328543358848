package dev.junction.routing.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The policies of one vhost. A change applies at once to every existing queue and exchange it concerns (a queue
 * applies it in its own mailbox, so the future completes once each of them has) and to every one declared later;
 * policies are definitions in the store and survive a restart.
 */
public interface Policies {

    /** The vhost's policies, by name. */
    List<Policy> list();

    Optional<Policy> get(String name);

    /**
     * Creates or replaces a policy. Throws {@link ErrorKind#PRECONDITION_FAILED} with RabbitMQ's "Validation failed"
     * text when the pattern or the definition is invalid. Completes with true when the name was new.
     */
    CompletableFuture<Boolean> put(Policy policy);

    /** Removes a policy; completes with false when there was none of that name. */
    CompletableFuture<Boolean> delete(String name);
}
