package dev.junction.amqp;

import dev.junction.config.UserConfig;
import dev.junction.routing.api.Vhost;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the connection handshake settled [AMQP 0-9-1 2.2.4 the connection class]: who logged in, the vhost it
 * opened and the rights it has there, the limits of tune-ok and the client's own properties from start-ok
 * (whose {@code capabilities} table says which RabbitMQ extensions it understands). The handshake builds it once,
 * at connection.open; the connection keeps it and never changes it.
 */
record ConnectionTerms(UserConfig user, Vhost vhost, AccessControl access, Tuning tuning,
                       Map<String, Object> clientProperties) {

    ConnectionTerms {
        // A field table may hold void (null) values, which Map.copyOf refuses.
        clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    }

    /** Whether the client announced {@code name} as true in its start-ok capabilities table. */
    boolean clientHasCapability(String name) {
        return hasCapability(clientProperties, name);
    }

    static boolean hasCapability(Map<String, Object> clientProperties, String name) {
        return clientProperties.get("capabilities") instanceof Map<?, ?> caps && Boolean.TRUE.equals(caps.get(name));
    }
}
