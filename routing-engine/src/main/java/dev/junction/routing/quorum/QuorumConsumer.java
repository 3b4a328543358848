package dev.junction.routing.quorum;

import dev.junction.routing.SerialExecutor;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One consumer of a {@link ReplicatedQuorumQueue} on this node. The log decides which messages it gets (within its
 * prefetch); this object hands them to the sink in the log's order and holds them while the sink is not ready (the
 * socket is not writable), which the prefetch bounds: a delivery that needs no acknowledgement (auto-ack, MQTT QoS
 * 0) is settled in the log only once handed to the sink, so it holds its place until then. Hand-over runs on the queue's mailbox, so it needs no lock;
 * the {@link Consumption} calls post to it.
 */
final class QuorumConsumer implements Consumption {
    private final ReplicatedQuorumQueue queue;
    private final String id;
    private final ConsumerSpec spec;
    private final DeliverySink sink;
    private final SerialExecutor mailbox;
    /** Assigned, not yet handed to the sink. Mailbox only. */
    private final ArrayDeque<Delivery> waiting = new ArrayDeque<>();
    /** False until the consumer's registration was answered: deliveries wait until then. Mailbox only. */
    private boolean started;
    /** Set once cancelled: assignments still arriving go back to the queue. Mailbox only. */
    private boolean cancelled;
    /** Handed over and not settled: kept to dead-letter on reject. */
    private final Map<Long, Message> unsettled = new ConcurrentHashMap<>();

    private final long prefetch;

    QuorumConsumer(ReplicatedQuorumQueue queue, String id, ConsumerSpec spec, DeliverySink sink,
                   SerialExecutor mailbox, long prefetch) {
        this.prefetch = prefetch;
        this.queue = queue;
        this.id = id;
        this.spec = spec;
        this.sink = sink;
        this.mailbox = mailbox;
    }

    String id() {
        return id;
    }

    /** The prefetch it is attached with in the log (0: unlimited). */
    long prefetch() {
        return prefetch;
    }

    /** Its x-priority (RabbitMQ "Consumer Priorities"; 0 when not given), which the log orders consumers by. */
    int priority() {
        return spec.priority();
    }

    /** Whether it is the queue's only consumer (basic.consume {@code exclusive}), which the log judges. */
    boolean exclusive() {
        return spec.exclusive();
    }

    void forgetUnsettled() {
        unsettled.clear();
    }

    /** Whether the sink never settles {@code m} (an MQTT QoS 0 delivery): settled in the log once handed over. */
    boolean settlesOnSend(Message m) {
        return sink.settlesOnSend(m);
    }

    /**
     * Takes an assignment from the log's apply thread; delivered on the mailbox in the log's order. {@code settled}:
     * nothing will acknowledge it (auto-ack, or {@link #settlesOnSend}); the log is told once it is handed over.
     */
    void offer(long deliveryId, Message m, int returns, boolean settled) {
        if (!settled) {
            unsettled.put(deliveryId, m);
        }
        // returns + 1: the log counts the earlier returns, a Delivery's count includes this delivery (as a classic
        // queue's does)
        Delivery d = new Delivery(queue, deliveryId, m, returns > 0, returns + 1, settled, 0, null);
        mailbox.execute(() -> {
            if (cancelled) {
                giveBack(d);
                return;
            }
            waiting.add(d);
            drain();
        });
    }

    /**
     * Cancelled: nothing more goes to the sink, and what waits for it goes back to the queue (counted as a return,
     * so a consumer elsewhere gets it flagged redelivered) instead of staying assigned to a consumer that is gone.
     */
    void cancelled() {
        mailbox.execute(() -> {
            cancelled = true;
            while (!waiting.isEmpty()) {
                giveBack(waiting.poll());
            }
        });
    }

    private void giveBack(Delivery d) {
        if (!d.autoAck()) {
            queue.settle(d.deliveryId(), Settlement.REQUEUE);
        } else {
            queue.handedOver(id, d.deliveryId(), false); // never handed over, so not settled yet
        }
    }

    /** The message of a settled delivery (null when it was not this consumer's or settled before). */
    Message settled(long deliveryId) {
        return unsettled.remove(deliveryId);
    }

    /** After the adapter has been told the consumer is registered. */
    void start() {
        mailbox.execute(() -> {
            started = true;
            drain();
        });
    }

    private void drain() {
        while (started && !cancelled && !waiting.isEmpty() && sink.ready()) {
            Delivery d = waiting.poll();
            sink.deliver(d);
            if (d.autoAck()) {
                queue.handedOver(id, d.deliveryId(), true);
            }
        }
    }

    /** The queue cancelled this consumer ({@code why}): the sink is told, and what waits for it is dropped. */
    void cancelledByQueue(CancelReason why) {
        mailbox.execute(() -> {
            waiting.clear();
            sink.cancelled(why);
        });
    }

    @Override
    public String tag() {
        return spec.tag();
    }

    @Override
    public DeliverySource source() {
        return queue;
    }

    @Override
    public boolean autoAck() {
        return spec.autoAck();
    }

    @Override
    public void resume() {
        mailbox.execute(this::drain);
    }

    @Override
    public CompletableFuture<Void> cancel() {
        return queue.cancel(this);
    }

    @Override
    public String toString() {
        return "consumer '" + spec.tag() + "' on " + queue;
    }
}
