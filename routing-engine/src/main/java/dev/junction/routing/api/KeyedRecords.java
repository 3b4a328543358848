package dev.junction.routing.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Opaque records of one vhost, keyed by a string (an MQTT client id), that survive a restart: the protocol owns
 * their encoding. Writes complete once durable; a later write of the same key replaces an earlier one.
 */
public interface KeyedRecords {

    CompletableFuture<Void> put(String key, byte[] data);

    CompletableFuture<Void> delete(String key);

    Optional<byte[]> get(String key);

    /** Every record of this vhost, at start-up (recovery); a snapshot. */
    Map<String, byte[]> all();
}
