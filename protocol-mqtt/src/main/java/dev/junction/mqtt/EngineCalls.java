package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The engine's asynchronous declarations seen one way: a refusal the engine throws before anything changed becomes a
 * failed future like one that comes later, and a failure is read back as the engine's refusal kind. For the
 * adapter's replicated paths, which chain declarations and act on the kind of a refusal (a queue or exchange not
 * found is declared again).
 */
final class EngineCalls {
    private EngineCalls() {
    }

    /** The engine's answer, with a refusal it threw before anything changed as a failed future. */
    static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The engine's refusal kind behind {@code error}, or null for anything else. */
    static ErrorKind kind(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof BrokerException e ? e.kind() : null;
    }
}
