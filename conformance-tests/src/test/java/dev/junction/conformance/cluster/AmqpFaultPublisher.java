package dev.junction.conformance.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fault test's AMQP 0-9-1 publisher: publisher confirms, batches of numbered persistent messages to
 * {@code amq.topic}. A batch not confirmed in full (a nack, a connection lost, no answer in {@value #CONFIRM_MS} ms)
 * is sent again on the next connection, on the next node: at-least-once, as an application does.
 */
final class AmqpFaultPublisher extends FaultPublisher {
    private static final long CONFIRM_MS = 8_000;
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private final String routingKey;
    private volatile Connection connection;

    AmqpFaultPublisher(ProcessCluster cluster, FaultLedger ledger, String name, String home, String routingKey) {
        super(cluster, ledger, name, home);
        this.routingKey = routingKey;
    }

    @Override
    protected void workOn(String node) throws Exception {
        Connection c = cluster.connect(node);
        connection = c;
        connections.incrementAndGet();
        Channel ch = c.createChannel();
        ch.confirmSelect();
        int e = newEpoch();
        while (!stopping()) {
            List<String> copies = sendBatch(e, copy -> ch.basicPublish("amq.topic", routingKey, PERSISTENT,
                    copy.getBytes(StandardCharsets.UTF_8)));
            if (!ch.waitForConfirms(CONFIRM_MS)) {
                return; // a nack: sent again on the next connection
            }
            confirmed(copies);
        }
    }

    @Override
    protected void abandon() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            c.abort(1000); // without waiting long for a node that may not answer
        }
    }
}
