package dev.junction.conformance;

import dev.junction.broker.Broker;

/** A broker a test talks to: the broker itself and the ports its listeners were given. */
public interface RunningBroker {
    Broker broker();

    default int amqpPort() {
        return port("amqp");
    }

    /** The port of {@code listener} ("amqp", "mqtt", "mqtt_ws", "http"), chosen by the system at bind. */
    default int port(String listener) {
        return broker().address(listener).getPort();
    }
}
