package dev.junction.config;

import java.util.Objects;

/**
 * The broker's listeners; {@code mqttWs} serves MQTT over WebSocket on path {@code /mqtt}. The TLS listeners
 * ({@code amqps}, {@code mqtts}, {@code mqttWss}) always carry a {@code tls} block when enabled; {@code http} serves
 * HTTPS when it has one.
 */
public record Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http,
                        ListenerConfig amqps, ListenerConfig mqtts, ListenerConfig mqttWss) {
    public Listeners {
        Objects.requireNonNull(amqp, "amqp");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(mqttWs, "mqttWs");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(amqps, "amqps");
        Objects.requireNonNull(mqtts, "mqtts");
        Objects.requireNonNull(mqttWss, "mqttWss");
        for (ListenerConfig tlsOnly : new ListenerConfig[] {amqps, mqtts, mqttWss}) {
            if (tlsOnly.enabled() && tlsOnly.tls().isEmpty()) {
                throw new IllegalArgumentException("an enabled TLS listener needs a tls block");
            }
        }
    }

    /**
     * The listener under its configuration key ({@code amqp}, {@code amqps}, {@code mqtt}, {@code mqtts},
     * {@code mqtt_ws}, {@code mqtt_wss}, {@code http}), as protocol modules name the listeners they serve.
     *
     * @throws IllegalArgumentException for a key that names no listener
     */
    public ListenerConfig byKey(String key) {
        return switch (key) {
            case "amqp" -> amqp;
            case "amqps" -> amqps;
            case "mqtt" -> mqtt;
            case "mqtts" -> mqtts;
            case "mqtt_ws" -> mqttWs;
            case "mqtt_wss" -> mqttWss;
            case "http" -> http;
            default -> throw new IllegalArgumentException("no listener '" + key + "' in the configuration");
        };
    }

    /** Only the plain listeners; the TLS ones are off, on their default ports. */
    public Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http) {
        this(amqp, mqtt, mqttWs, http, new ListenerConfig(false, "0.0.0.0", 5671),
                new ListenerConfig(false, "0.0.0.0", 8883), new ListenerConfig(false, "0.0.0.0", 8084));
    }
}
