package dev.junction.mqtt;

import dev.junction.routing.api.Message;

/** A will message, ready to route, and how long after an abnormal close it waits [MQTT-3.1.3-9]. */
record Will(String topic, Message message, boolean retain, long delaySeconds) {
}
