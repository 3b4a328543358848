package dev.junction.conformance.amqp10;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.ConnectionBuilder;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;

/**
 * RabbitMQ's own AMQP 1.0 Java client ({@code com.rabbitmq.client:amqp-client}) connecting to a test class's broker:
 * one environment for the class, made at the first connection; it and every connection are closed before the
 * broker stops.
 */
final class RabbitClient {
    private final Amqp10Support broker;
    private Environment environment;

    RabbitClient(Amqp10Support broker) {
        this.broker = broker;
    }

    /** A connection as {@code user} with {@code password}; to {@code vhost}, or the client's default when null. */
    Connection connect(String user, String password, String vhost) {
        if (environment == null) {
            environment = broker.closeBeforeStop(new AmqpEnvironmentBuilder().build());
        }
        ConnectionBuilder b = environment.connectionBuilder().host("127.0.0.1").port(broker.amqpPort())
                .username(user).password(password);
        if (vhost != null) {
            b.virtualHost(vhost);
        }
        Connection c = b.build();
        broker.closeBeforeStop(c::close);
        return c;
    }
}
