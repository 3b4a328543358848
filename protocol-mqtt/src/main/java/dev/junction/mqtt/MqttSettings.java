package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import java.util.List;

/**
 * What the MQTT adapter needs from the broker's configuration. {@code maxRetainedMessages} and
 * {@code maxRetainedBytes} bound the retained messages of the MQTT vhost ({@code limits.max_retained_*}).
 */
public record MqttSettings(MqttConfig mqtt, List<UserConfig> users, long maxMessageSize, long maxRetainedMessages,
                           long maxRetainedBytes) {
    public MqttSettings {
        users = List.copyOf(users);
    }

    /** With the default retained limits. */
    public MqttSettings(MqttConfig mqtt, List<UserConfig> users, long maxMessageSize) {
        this(mqtt, users, maxMessageSize, dev.junction.config.Limits.DEFAULT_MAX_RETAINED_MESSAGES,
                dev.junction.config.Limits.DEFAULT_MAX_RETAINED_BYTES);
    }
}
