package dev.junction.storage;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Persistent MQTT session state other than queued messages (those live in the session's queue in the
 * {@link MessageStore}): subscriptions, expiry, inbound QoS 2 packet ids, pending wills. The adapter owns the
 * encoding. Sessions are keyed by (vhost, clientId): a put replaces, deleting an absent session does nothing,
 * {@link #all()} is in no particular order. Byte arrays are copied in and out as described on
 * {@link MessageStore}.
 */
public interface SessionStore {

    record Session(String vhost, String clientId, byte[] data) {
    }

    CompletableFuture<Void> put(Session session);

    CompletableFuture<Void> delete(String vhost, String clientId);

    Optional<Session> get(String vhost, String clientId);

    List<Session> all();
}
