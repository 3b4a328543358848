package dev.junction.storage.table;

/** A key that is unique within a vhost: a retained message's topic, a session's client id. */
public record VhostKey(String vhost, String name) {
}
