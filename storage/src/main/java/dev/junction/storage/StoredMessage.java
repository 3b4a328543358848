package dev.junction.storage;

/**
 * A message as the store sees it: an id assigned by the routing engine (strictly increasing over the life of
 * the store, also across restarts) and an opaque encoded form. The store never interprets {@code data}; the
 * engine owns the encoding so that the store stays independent of the message model.
 */
public record StoredMessage(long id, byte[] data) {
}
