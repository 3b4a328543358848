package dev.junction.mqtt;

import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import java.util.List;

/** What the MQTT adapter needs from the broker's configuration. */
public record MqttSettings(MqttConfig mqtt, List<UserConfig> users, long maxMessageSize) {
    public MqttSettings {
        users = List.copyOf(users);
    }
}
