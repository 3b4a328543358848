package dev.junction.amqp10;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The steps of an attach that declares through the engine's asynchronous calls (a queue, then its binding, then
 * the old bindings of a moved subscription), each run on the connection's event loop: at once when the step before
 * is done already, which on a single node is always, so the attach runs through in one go as it always did; else
 * when its future completes (a cluster node's metadata log committed the change, on one of the cluster's threads),
 * handed back to the loop. Step code thus reads and changes proton and the connection's state only on the loop, and
 * the loop never waits for a commit. A connection whose loop has gone drops the steps left (its exclusive queues go
 * with it).
 */
final class OnLoop {
    private OnLoop() {
    }

    /** {@code next} with the value of {@code f}, on the loop; a failure of {@code f} is passed on. */
    static <T, U> CompletableFuture<U> then(Amqp10Connection conn, CompletableFuture<T> f,
                                            Function<? super T, CompletableFuture<U>> next) {
        return handle(conn, f, (value, error) -> error != null ? CompletableFuture.failedFuture(error)
                : next.apply(value));
    }

    /** {@code next} with the value or the failure (unwrapped) of {@code f}, on the loop. */
    static <T, U> CompletableFuture<U> handle(Amqp10Connection conn, CompletableFuture<T> f,
                                              BiFunction<? super T, Throwable, CompletableFuture<U>> next) {
        if (f.isDone()) {
            return step(f, next);
        }
        CompletableFuture<U> out = new CompletableFuture<>();
        f.whenComplete((ignored, alsoIgnored) -> conn.onLoop(() -> step(f, next).whenComplete((value, error) -> {
            if (error != null) {
                out.completeExceptionally(cause(error));
            } else {
                out.complete(value);
            }
        })));
        return out;
    }

    /** The future {@code step} returns, or the refusal it throws as a failed one. */
    static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T, U> CompletableFuture<U> step(CompletableFuture<T> f,
                                                    BiFunction<? super T, Throwable, CompletableFuture<U>> next) {
        T value = null;
        Throwable error = null;
        try {
            value = f.join();
        } catch (CompletionException | CancellationException e) {
            error = cause(e);
        }
        T v = value;
        Throwable x = error;
        return call(() -> next.apply(v, x));
    }

    /** What a future failed with, without the {@link CompletionException}s it came wrapped in. */
    static Throwable cause(Throwable e) {
        Throwable c = e;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
