package dev.junction.routing.api;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;

/**
 * A connection's place in the {@link ConnectionRegistry} and its two INFO lines, the same for every protocol: one
 * when it is listed ("... opened") and one when its socket closes ("... closed: reason"). The reason is the first
 * one given ({@link #because}); a socket that closes without any was closed by the client. The protocol decides
 * when a connection is through its handshake and what its reasons are called. Used on the connection's event loop
 * only, so it needs no lock.
 */
public final class ConnectionRecord {
    private final Logger log;
    private ConnectionRegistry.Registration registration;
    private String reason;

    /** @param log the adapter's connection logger, so that operators' log settings keep their names */
    public ConnectionRecord(Logger log) {
        this.log = log;
    }

    /** The connection is through its handshake: it is listed from now, and its open line logged. */
    public void opened(ConnectionRegistry registry, ConnectionInfo info, ClientConnection connection) {
        registration = registry.register(info, connection);
        log.info("{} opened", info.describe());
    }

    /** Why the connection ends, unless a reason was given before. */
    public void because(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    /** The socket closed: the connection leaves the registry and its close line is logged (once). */
    public void closed() {
        if (registration == null) {
            return;
        }
        registration.close();
        log.info("{} closed: {}", registration.info().describe(), reason == null ? "client closed the socket" : reason);
        registration = null;
    }

    /** A socket's address; null where there is none (an in-memory channel). */
    public static InetSocketAddress inet(SocketAddress a) {
        return a instanceof InetSocketAddress inet ? inet : null;
    }
}
