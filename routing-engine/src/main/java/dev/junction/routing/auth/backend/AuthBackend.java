package dev.junction.routing.auth.backend;

import java.util.concurrent.CompletableFuture;

/**
 * One place logins can be checked. Rules: {@link #check} never blocks its caller (a Netty event loop): a backend
 * that needs I/O returns a future completed later, on its own threads; the future never completes exceptionally
 * (a failure is {@link Verdict#error}); a backend that does not know the user denies, and the chain asks the next.
 */
public interface AuthBackend {
    /** The name used in metrics and logs: internal, http, jwt. */
    String name();

    CompletableFuture<Verdict> check(Credentials credentials);

    /** Whether decisions may be cached (false for in-memory backends, where a lookup is as cheap as the cache). */
    default boolean cacheable() {
        return true;
    }
}
