package dev.junction.routing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects the answers of every party a publish depends on (each queue it was routed to, and the store when it
 * was written) and completes once all have answered: {@code true} when all accepted, {@code false} when any
 * refused (a reject-publish overflow, a failed write). Publisher confirms and MQTT acknowledgements hang off it.
 */
public final class Confirmation {
    private final AtomicInteger pending;
    private volatile boolean refused;
    private final CompletableFuture<Boolean> future = new CompletableFuture<>();

    public Confirmation(int parties) {
        this.pending = new AtomicInteger(parties);
        if (parties == 0) {
            future.complete(true);
        }
    }

    /** A confirmation for a publish that nobody waits on: every call is a no-op. */
    public static Confirmation none() {
        return NONE;
    }

    private static final Confirmation NONE = new Confirmation(0);

    public void accept() {
        if (this != NONE && pending.decrementAndGet() == 0) {
            future.complete(!refused);
        }
    }

    public void refuse() {
        if (this != NONE) {
            refused = true;
            accept();
        }
    }

    public CompletableFuture<Boolean> future() {
        return future;
    }
}
