package dev.junction.config;

import java.util.Objects;

/** The broker's listeners; {@code mqttWs} serves MQTT over WebSocket on path {@code /mqtt}. */
public record Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http) {
    public Listeners {
        Objects.requireNonNull(amqp, "amqp");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(mqttWs, "mqttWs");
        Objects.requireNonNull(http, "http");
    }
}
