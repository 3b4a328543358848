package dev.junction.conformance.cluster;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault test's AMQP 0-9-1 publisher: publisher confirms, batches of numbered persistent messages to
 * {@code amq.topic}. A batch not confirmed in full (a nack, a connection lost, no answer in {@value #CONFIRM_MS} ms)
 * is sent again on the next connection, on the next node: at-least-once, as an application does.
 */
final class AmqpFaultPublisher extends FaultClient {
    private static final int BATCH = 10;
    private static final long CONFIRM_MS = 8_000;
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private final ProcessCluster cluster;
    private final FaultLedger ledger;
    private final String name;
    private final String routingKey;
    /** Sequence numbers sent and not confirmed yet: sent again first on the next connection. */
    private final List<Long> pending = new ArrayList<>();
    private long next;
    private int epoch;
    private volatile Connection connection;

    AmqpFaultPublisher(ProcessCluster cluster, FaultLedger ledger, String name, String home, String routingKey) {
        super("fault-publisher-" + name, home);
        this.cluster = cluster;
        this.ledger = ledger;
        this.name = name;
        this.routingKey = routingKey;
    }

    @Override
    protected void workOn(String node) throws Exception {
        Connection c = cluster.connect(node);
        connection = c;
        connections.incrementAndGet();
        Channel ch = c.createChannel();
        ch.confirmSelect();
        int e = ++epoch;
        while (!stopping()) {
            while (pending.size() < BATCH) {
                pending.add(next++);
            }
            List<String> copies = new ArrayList<>();
            for (long seq : pending) {
                String copy = FaultLedger.copy(name, e, seq);
                ledger.sent(copy); // before it can be delivered
                copies.add(copy);
                ch.basicPublish("amq.topic", routingKey, PERSISTENT, copy.getBytes(StandardCharsets.UTF_8));
            }
            if (!ch.waitForConfirms(CONFIRM_MS)) {
                return; // a nack: sent again on the next connection
            }
            copies.forEach(ledger::confirmed);
            pending.clear();
            progress.incrementAndGet();
            pause(50);
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
