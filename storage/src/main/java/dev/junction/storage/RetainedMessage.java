package dev.junction.storage;

/** The retained message of one MQTT topic in one vhost, in the engine's encoding. */
public record RetainedMessage(String vhost, String topic, byte[] data) {
}
