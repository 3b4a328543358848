package dev.junction.amqp;

import dev.junction.mqtt.MqttSettings;
import dev.junction.routing.VirtualHost;
import dev.junction.storage.MessageStore;

/**
 * Not part of the AMQP adapter: a test-only class placed in its package that breaks each seam rule once (an engine
 * internal, the store, the other adapter), so that {@code AdapterSeamTest} can show its rules catch them.
 */
final class SeamProbe {
    VirtualHost engineInternal;
    MessageStore store;
    MqttSettings otherAdapter;
}
