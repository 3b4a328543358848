package dev.junction.routing.api;

/**
 * The wire protocol of a client connection, named as RabbitMQ's management API names it in a connection's
 * {@code protocol} field, so tools that read that field see the values they know.
 */
public enum ClientProtocol {
    AMQP_0_9_1("AMQP 0-9-1"),
    AMQP_1_0("AMQP 1.0"),
    MQTT_3_1("MQTT 3.1"),
    MQTT_3_1_1("MQTT 3.1.1"),
    MQTT_5("MQTT 5");

    private final String label;

    ClientProtocol(String label) {
        this.label = label;
    }

    /** The protocol as the management API and the log show it, e.g. {@code "AMQP 0-9-1"}. */
    public String label() {
        return label;
    }
}
