package dev.junction.amqp10;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.qpid.proton.engine.Delivery;

/**
 * The engine's confirmations of one incoming link's messages, carried to the connection's event loop in batches.
 * A confirmation completes on the thread that finished the message's last step (a queue's thread once it took
 * the message, the store's writer once it synced it); proton may only be touched on the event loop. One task on
 * the loop applies every confirmation that arrived since the last one, then {@code afterBatch} runs once (the
 * link's credit top-up), and the dispositions go out with that task's one flush. Qpid JMS sends every message
 * unsettled, also non-persistent ones, so a task per confirmation meant a task, and often a wake-up of the loop,
 * per message.
 */
final class Confirmations {
    private final Consumer<Runnable> loop;
    private final BiConsumer<Delivery, Boolean> apply;
    private final Runnable afterBatch;
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    private record Done(Delivery transfer, boolean ok) {
    }

    /**
     * @param loop       runs a task on the connection's event loop ({@link Amqp10Connection#onLoop})
     * @param apply      the outcome of one transfer ({@code ok}: accepted, else released), on the event loop
     * @param afterBatch runs on the event loop after each batch
     */
    Confirmations(Consumer<Runnable> loop, BiConsumer<Delivery, Boolean> apply, Runnable afterBatch) {
        this.loop = loop;
        this.apply = apply;
        this.afterBatch = afterBatch;
    }

    /** Any thread: {@code transfer}'s message was confirmed ({@code ok}) or refused. */
    void completed(Delivery transfer, boolean ok) {
        done.add(new Done(transfer, ok));
        if (scheduled.compareAndSet(false, true)) {
            loop.accept(drain);
        }
    }

    private void drain() {
        // cleared first: a confirmation added while this runs either is polled below or schedules the next drain
        scheduled.set(false);
        for (Done d = done.poll(); d != null; d = done.poll()) {
            apply.accept(d.transfer(), d.ok());
        }
        afterBatch.run();
    }
}
