package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The message content one connection has in flight, held to {@code limits.max_content_in_flight_bytes}.
 *
 * <p>Two kinds of bytes count. <em>Held</em> bytes are body frames of publishes whose content is not complete yet,
 * plus complete publishes waiting in an uncommitted transaction: only more reading can turn them into messages,
 * so stopping the socket would never free them. A body frame that takes them past the cap is therefore a hard
 * error, 506 RESOURCE_ERROR [AMQP 0-9-1 reply code resource-error]; one message never trips it, as the cap is
 * at least the maximum message size. <em>Awaiting</em> bytes are messages handed to the engine whose
 * confirmation (every queue took them, the store made them durable) has not come yet; they drain on their own,
 * so while held plus awaiting bytes reach the cap the socket is not read (back-pressure through TCP), and reading
 * resumes as confirmations arrive. Memory is only ever taken for bytes that arrived: never for a size a content
 * header merely announces.
 *
 * <p>Confined to the connection's event loop; confirmations are posted back to it.
 */
final class ContentInFlight {
    private final Executor loop;
    /** Told true when reading must stop for the content in flight, false when it may go on. */
    private final Consumer<Boolean> overCap;
    private final long cap;
    private long held;
    private long awaiting;
    private boolean holdingReads;

    /**
     * @param loop    the connection's event loop, where confirmations are posted back
     * @param overCap told true when reading must stop for the content in flight, false when it may go on
     */
    ContentInFlight(Executor loop, Consumer<Boolean> overCap, long cap) {
        this.loop = loop;
        this.overCap = overCap;
        this.cap = cap;
    }

    /** A body frame of {@code bytes} arrived for an unfinished publish. */
    void received(int bytes) {
        held += bytes;
        if (held > cap) {
            throw AmqpException.connection(ReplyCode.RESOURCE_ERROR, "unfinished message content on this "
                    + "connection exceeds " + cap + " bytes (limits.max_content_in_flight_bytes)",
                    MethodType.BASIC_PUBLISH);
        }
        update();
    }

    /** Held bytes left without reaching a queue: a channel closed, a publish was refused or rolled back. */
    void dropped(long bytes) {
        held -= bytes;
        update();
    }

    /** A message of {@code bytes} went to the engine: it stays in flight until {@code accepted} completes. */
    void awaiting(long bytes, CompletableFuture<?> accepted) {
        if (bytes > 0 && !accepted.isDone()) {
            awaiting += bytes;
            accepted.whenComplete((ok, error) -> {
                try {
                    loop.execute(() -> {
                        awaiting -= bytes;
                        update();
                    });
                } catch (RejectedExecutionException closed) {
                    // the event loop is gone, and the connection with it
                }
            });
        }
        update();
    }

    long bytes() {
        return held + awaiting;
    }

    private void update() {
        boolean over = awaiting > 0 && held + awaiting >= cap;
        if (over != holdingReads) {
            holdingReads = over;
            overCap.accept(over);
        }
    }
}
