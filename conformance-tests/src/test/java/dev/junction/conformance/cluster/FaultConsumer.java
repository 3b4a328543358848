package dev.junction.conformance.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The fault test's consumer: manual acks with a prefetch, every delivery recorded in the ledger (with its
 * redelivered flag and {@code x-delivery-count}) before it is acknowledged. Its connection asks for heartbeats every
 * second, so a node that stops answering (paused) is noticed in seconds; then, or when its node dies, it consumes
 * on the next node.
 */
final class FaultConsumer extends FaultClient {
    private final ProcessCluster cluster;
    private final FaultLedger ledger;
    private final String queue;
    private volatile Connection connection;

    FaultConsumer(ProcessCluster cluster, FaultLedger ledger, String home, String queue) {
        super("fault-consumer", home);
        this.cluster = cluster;
        this.ledger = ledger;
        this.queue = queue;
    }

    @Override
    protected void workOn(String node) throws Exception {
        Connection c = cluster.connect(node, 1);
        connection = c;
        connections.incrementAndGet();
        Channel ch = c.createChannel();
        ch.basicQos(20);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                Object count = props.getHeaders() == null ? null : props.getHeaders().get("x-delivery-count");
                ledger.delivered(new String(body, StandardCharsets.UTF_8), env.isRedeliver(),
                        count instanceof Number n ? n.longValue() : 0);
                progress.incrementAndGet();
                ch.basicAck(env.getDeliveryTag(), false);
            }
        });
        while (!stopping() && c.isOpen() && ch.isOpen()) {
            pause(100);
        }
    }

    @Override
    protected void abandon() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            c.abort(1000);
        }
    }
}
