package dev.junction.routing.queue;

import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.DeliverySink;
import java.util.List;

/** A registered consumer of one queue; the handle its adapter uses to resume or cancel it. */
public final class Consumer {
    private final Queue queue;
    private final ConsumerSpec spec;
    private final DeliverySink sink;
    private final long order;

    Consumer(Queue queue, ConsumerSpec spec, DeliverySink sink, long order) {
        this.queue = queue;
        this.spec = spec;
        this.sink = sink;
        this.order = order;
    }

    public Queue queue() {
        return queue;
    }

    public String tag() {
        return spec.tag();
    }

    public boolean autoAck() {
        return spec.autoAck();
    }

    public int priority() {
        return spec.priority();
    }

    ConsumerSpec spec() {
        return spec;
    }

    DeliverySink sink() {
        return sink;
    }

    long order() {
        return order;
    }

    List<Prefetch> limits() {
        return spec.limits();
    }

    /** Call when the sink can take deliveries again (its socket became writable). */
    public void resume() {
        queue.kick();
    }

    /** Cancels this consumer; its unacknowledged deliveries stay outstanding until settled. */
    public java.util.concurrent.CompletableFuture<Void> cancel() {
        return queue.cancel(this);
    }

    boolean tryAcquire(int size) {
        List<Prefetch> limits = spec.limits();
        for (int i = 0; i < limits.size(); i++) {
            if (!limits.get(i).tryAcquireOrPark(size, queue)) {
                for (int j = 0; j < i; j++) {
                    limits.get(j).release(size);
                }
                return false;
            }
        }
        return true;
    }

    /**
     * For an auto-ack consumer: whether every limit has credit left, taking none. A channel-wide limit used up by
     * the channel's acking consumers holds its no-ack consumers back too, as RabbitMQ's limiter does.
     */
    boolean hasCredit() {
        List<Prefetch> limits = spec.limits();
        for (int i = 0; i < limits.size(); i++) {
            if (!limits.get(i).hasCreditOrPark(queue)) {
                return false;
            }
        }
        return true;
    }

    void release(int size) {
        List<Prefetch> limits = spec.limits();
        for (int i = 0; i < limits.size(); i++) {
            limits.get(i).release(size);
        }
    }

    @Override
    public String toString() {
        return "consumer '" + spec.tag() + "' on " + queue;
    }
}
