package dev.junction.routing.api;

import dev.junction.routing.queue.Consumer;
import java.util.concurrent.CompletableFuture;

/** {@link Consumption} over the engine's {@link Consumer}. */
final class ConsumerHandle implements Consumption {
    private final Consumer consumer;

    ConsumerHandle(Consumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public String tag() {
        return consumer.tag();
    }

    @Override
    public DeliverySource source() {
        return consumer.queue();
    }

    @Override
    public boolean autoAck() {
        return consumer.autoAck();
    }

    @Override
    public void resume() {
        consumer.resume();
    }

    @Override
    public CompletableFuture<Void> cancel() {
        return consumer.cancel();
    }

    @Override
    public String toString() {
        return consumer.toString();
    }
}
