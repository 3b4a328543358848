package dev.junction.bench.fleet;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The AMQP 0-9-1 side of the telemetry path, as a backend service would run it with the stock Java client: one
 * durable queue bound to {@code amq.topic} with {@code devices.*.telemetry} (an MQTT topic {@code devices/7/telemetry}
 * arrives there with routing key {@code devices.7.telemetry}), and {@code consumers} consumers on channels of their
 * own, each with {@code basic.qos} prefetch and a manual {@code basic.ack} per message. Every delivery is reported
 * to the {@link DeliveryLog} before it is acknowledged.
 */
final class TelemetryConsumers implements AutoCloseable {
    static final String BINDING = "devices.*.telemetry";

    private final Connection connection;
    private final Channel admin;
    private final String queue;

    TelemetryConsumers(Args.Endpoint broker, String user, String password, String queue, int consumers, int prefetch,
            DeliveryLog log) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(broker.host());
        f.setPort(broker.port());
        f.setUsername(user);
        f.setPassword(password);
        f.setAutomaticRecoveryEnabled(false);
        this.connection = f.newConnection("fleet-telemetry-consumers");
        this.queue = queue;
        this.admin = connection.createChannel();
        admin.queueDelete(queue);
        admin.queueDeclare(queue, true, false, false, null);
        admin.queueBind(queue, "amq.topic", BINDING);
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            Channel ch = connection.createChannel();
            ch.basicQos(prefetch);
            ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
                    log.arrived(Stamp.seq(body), Stamp.micros(body));
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
            channels.add(ch);
        }
    }

    /** Drops what is still queued, so a step that fell behind does not leave its backlog to the next one. */
    long purge() throws IOException {
        return admin.queuePurge(queue).getMessageCount();
    }

    @Override
    public void close() throws Exception {
        try {
            admin.queueDelete(queue);
        } finally {
            connection.close();
        }
    }
}
