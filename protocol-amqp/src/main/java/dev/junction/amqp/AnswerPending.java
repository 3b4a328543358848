package dev.junction.amqp;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An access check found a question an external auth service has not answered yet (RabbitMQ's resource_path or
 * topic_path): the frame being handled stops before it changed anything, the connection asks ({@link #fetch}),
 * keeps the answer on its event loop ({@link #remember}) and handles the same frame again, its later frames waiting
 * meanwhile ({@link InboundOrder}). An answer that does not come is a no (fail closed), so the second pass ends.
 */
final class AnswerPending extends RuntimeException {
    private final transient Supplier<CompletableFuture<Boolean>> fetch;
    private final transient Consumer<Boolean> remember;

    AnswerPending(Supplier<CompletableFuture<Boolean>> fetch, Consumer<Boolean> remember) {
        super("an auth service's answer is needed", null, false, false);
        this.fetch = fetch;
        this.remember = remember;
    }

    CompletableFuture<Boolean> fetch() {
        return fetch.get();
    }

    /** On the event loop: keeps {@code allowed} for the frame's second pass. */
    void remember(boolean allowed) {
        remember.accept(allowed);
    }
}
