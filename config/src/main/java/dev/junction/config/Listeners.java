package dev.junction.config;

import java.util.Objects;

/**
 * The broker's listeners; {@code mqttWs} serves MQTT over WebSocket on path {@code /mqtt}. The TLS listeners
 * ({@code amqps}, {@code mqtts}, {@code mqttWss}) always carry a {@code tls} block when enabled; {@code http} serves
 * HTTPS when it has one, and so does {@code amqp10}, AMQP 1.0's own listener (off by default).
 */
public record Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http,
                        ListenerConfig amqps, ListenerConfig mqtts, ListenerConfig mqttWss, ListenerConfig amqp10) {
    /** AMQP 1.0's own listener when none is configured: off (AMQP 1.0 is served on {@code amqp} and {@code amqps}). */
    public static final ListenerConfig AMQP10_OFF = new ListenerConfig(false, "0.0.0.0", 5673);

    /** Without a listener of AMQP 1.0's own. */
    public Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http,
                     ListenerConfig amqps, ListenerConfig mqtts, ListenerConfig mqttWss) {
        this(amqp, mqtt, mqttWs, http, amqps, mqtts, mqttWss, AMQP10_OFF);
    }

    public Listeners {
        Objects.requireNonNull(amqp10, "amqp10");
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
     * {@code mqtt_ws}, {@code mqtt_wss}, {@code http}, {@code amqp10}), as protocol modules name the listeners they serve.
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
            case "amqp10" -> amqp10;
            default -> throw new IllegalArgumentException("no listener '" + key + "' in the configuration");
        };
    }

    /** Only the plain listeners; the TLS ones are off, on their default ports. */
    public Listeners(ListenerConfig amqp, ListenerConfig mqtt, ListenerConfig mqttWs, ListenerConfig http) {
        this(amqp, mqtt, mqttWs, http, new ListenerConfig(false, "0.0.0.0", 5671),
                new ListenerConfig(false, "0.0.0.0", 8883), new ListenerConfig(false, "0.0.0.0", 8084));
    }
}
