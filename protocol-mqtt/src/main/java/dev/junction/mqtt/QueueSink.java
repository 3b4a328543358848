package dev.junction.mqtt;

import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.Message;

/**
 * The sink one consumer of a connection registers, on its session queue or a share group's queue: called on the
 * queue's thread, it hands every delivery and the consumer's end over to the connection's event loop
 * ({@link Outbound}).
 */
final class QueueSink implements DeliverySink {
    final String queueName;
    private final MqttConnection c;
    private final Outbound outbound;

    QueueSink(MqttConnection c, Outbound outbound, String queueName) {
        this.c = c;
        this.outbound = outbound;
        this.queueName = queueName;
    }

    @Override
    public void deliver(Delivery d) {
        c.out.deliver(() -> outbound.deliver(this, d));
    }

    @Override
    public boolean ready() {
        return c.out.canTakeDeliveries() && outbound.windowOpen();
    }

    /** Published at QoS 0, so delivered at QoS 0 whatever the subscription: never acknowledged. */
    @Override
    public boolean settlesOnSend(Message m) {
        return PropertyMapping.qosOf(m) == 0;
    }

    @Override
    public void cancelled(CancelReason why) {
        c.onLoop(() -> outbound.lost(this));
    }
}
