package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a connection's replies in the order its client sent the methods: while an engine call answers later (consume,
 * get, purge, delete, a login backend) or a memory alarm blocks the publisher, frames already read wait here and are
 * handled, in order, once it is over. Event-loop only.
 */
final class InboundOrder {
    private final EventExecutor loop;
    private final PublisherFlow flow;
    private final Consumer<AmqpFrame> handler;
    /** Ends the connection with a hard error met while handling a frame that waited. */
    private final Consumer<AmqpException> fail;
    private final BooleanSupplier open;
    /** Flushes what handling the waiting frames wrote. */
    private final Runnable flush;
    /** A frame was handled to its end: answers an auth service gave for it are not kept for the next. */
    private final Runnable settled;
    private final ArrayDeque<AmqpFrame> parked = new ArrayDeque<>();
    private boolean busy;

    /**
     * @param handler handles one frame
     * @param fail    ends the connection with a hard error met while a frame that waited was handled
     * @param open    whether the connection is still open (a held login is dropped otherwise)
     * @param flush   flushes what handling the frames that waited wrote
     * @param settled called when a frame was handled to its end (not when it waits for an auth service)
     */
    InboundOrder(EventExecutor loop, PublisherFlow flow, Consumer<AmqpFrame> handler, Consumer<AmqpException> fail,
                 BooleanSupplier open, Runnable flush, Runnable settled) {
        this.loop = loop;
        this.flow = flow;
        this.handler = handler;
        this.fail = fail;
        this.open = open;
        this.flush = flush;
        this.settled = settled;
    }

    /** Handles one frame; one that needs an auth service's answer first is handled again once it came. */
    private void handle(AmqpFrame frame) {
        try {
            handler.accept(frame);
        } catch (AnswerPending pending) {
            answerFirst(pending, frame);
            return;
        }
        settled.run();
    }

    /** A frame was read: handled now, or parked behind an unfinished call or a blocked publisher. */
    void read(AmqpFrame frame) {
        if (busy || flow.blocked()) {
            parked.add(frame);
        } else {
            handle(frame);
        }
    }

    /**
     * Runs an engine call whose answer is a future, holding back the connection's further frames until it is
     * done; {@code then} runs on the event loop with the result.
     */
    <T> void await(Supplier<CompletableFuture<T>> call, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            then.accept(null, e);
            return;
        }
        if (f.isDone()) {
            T value = null;
            Throwable error = null;
            try {
                value = f.join();
            } catch (CompletionException e) {
                error = e.getCause();
            }
            then.accept(value, error);
            return;
        }
        busy = true;
        f.whenComplete((value, error) -> loop.execute(() -> {
            busy = false;
            try {
                then.accept(value, error instanceof CompletionException ? error.getCause() : error);
            } catch (AmqpException e) {
                // Soft errors are handled by the channel's own catch in its continuation.
                fail.accept(e);
            }
            resume();
        }));
    }

    /**
     * As {@link #await}, with the socket unread meanwhile: the answer of an external auth service may take its
     * timeout, and a client must not pile up frames behind it.
     */
    <T> void awaitUnread(Supplier<CompletableFuture<T>> call, BiConsumer<T, Throwable> then) {
        flow.hold(true);
        await(call, (value, error) -> {
            flow.hold(false);
            then.accept(value, error);
        });
    }

    /**
     * An auth service must answer before {@code frame} can be handled ({@link AnswerPending}): it is asked with the
     * socket unread, and the same frame handled again once the answer is kept; later frames wait meanwhile.
     */
    private void answerFirst(AnswerPending pending, AmqpFrame frame) {
        awaitUnread(pending::fetch, (allowed, error) -> {
            pending.remember(error == null && Boolean.TRUE.equals(allowed));
            handle(frame);
        });
    }

    /**
     * Runs {@code then} after {@code delayMs} on the event loop once {@code ready} completed (a slow password check
     * off the loop), reading nothing and handling no frame meanwhile (a throttled login: the wait must never block
     * the event loop). Skipped if the connection ends first.
     */
    void holdFor(long delayMs, CompletableFuture<?> ready, Runnable then) {
        if (delayMs <= 0 && ready.isDone()) {
            then.run();
            return;
        }
        busy = true;
        flow.hold(true);
        ready.whenComplete((done, error) -> loop.schedule(() -> {
            busy = false;
            flow.hold(false);
            if (!open.getAsBoolean()) {
                return;
            }
            try {
                then.run();
            } catch (AmqpException e) {
                fail.accept(e);
            }
            resume();
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS));
    }

    /** Handles the parked frames while nothing holds them back any more. */
    void resume() {
        while (!busy && !flow.blocked() && !parked.isEmpty()) {
            handle(parked.poll());
        }
        flush.run();
    }

    /** The connection is closing: what waits is dropped and nothing is held back any more. */
    void clear() {
        busy = false;
        parked.clear();
    }
}
