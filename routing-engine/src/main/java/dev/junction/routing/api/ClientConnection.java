package dev.junction.routing.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a protocol adapter lets the {@link ConnectionRegistry} do with one of its connections. Both calls come from
 * other threads (the management API's, the broker's shutdown) and must return at once: the adapter moves the work
 * onto the connection's event loop.
 */
public interface ClientConnection {

    /**
     * Ends the connection because of {@code cause}, telling the client {@code reason} where the protocol can carry
     * a text. Any thread; returns at once; a connection that is already ending ignores it.
     */
    void forceClose(ForcedClose cause, String reason);

    /**
     * What the protocol knows of the client's session beyond {@link ConnectionInfo}, fixed when the handshake
     * completed, as JSON-ready values (MQTT: session expiry, will present); none by default. Any thread.
     */
    default Map<String, Object> sessionDetails() {
        return Map.of();
    }

    /** The connection's channels now, read on its own thread; none by default (MQTT has no channels). */
    default CompletableFuture<List<ChannelInfo>> channels() {
        return CompletableFuture.completedFuture(List.of());
    }
}
