package dev.junction.routing.api;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The client connections of every protocol that are through their handshake, by name: what the management API
 * lists and closes, what deleting a user or revoking its permissions closes, and whom the broker says goodbye to
 * when it stops. Rules:
 * <ul>
 * <li>An adapter {@link #register}s a connection once its handshake completed (AMQP {@code connection.open-ok},
 * MQTT a successful CONNACK) and closes the {@link Registration} when the socket closes; closing it twice is
 * harmless. A connection refused during its handshake is never listed.</li>
 * <li>Closing goes through the adapter's {@link ClientConnection#forceClose}, which returns at once; the connection
 * stays listed until its socket has closed.</li>
 * <li>Only {@link #channels} and {@link #shutdown} wait, and only boundedly: never call them on an event loop.</li>
 * </ul>
 * Callable from any thread; no locks are held.
 */
public final class ConnectionRegistry {
    private final Map<String, Registration> byName = new ConcurrentHashMap<>();
    private final DirectReplies directReplies = new DirectReplies();

    /** The direct reply-to consumers of these connections' channels, every AMQP listener's (RabbitMQ's RPC). */
    public DirectReplies directReplies() {
        return directReplies;
    }

    /** One listed connection, and its entry in the list; closing it takes the connection off the list. */
    public final class Registration implements AutoCloseable {
        private final ConnectionInfo info;
        private final ClientConnection connection;

        private Registration(ConnectionInfo info, ClientConnection connection) {
            this.info = info;
            this.connection = connection;
        }

        public ConnectionInfo info() {
            return info;
        }

        ClientConnection connection() {
            return connection;
        }

        @Override
        public void close() {
            byName.remove(info.name(), this);
        }
    }

    /** Lists {@code info} until the registration is closed; {@code connection} is how it is closed from here. */
    public Registration register(ConnectionInfo info, ClientConnection connection) {
        Registration r = new Registration(info, connection);
        byName.put(info.name(), r);
        return r;
    }

    /** Every listed connection, oldest first. */
    public List<ConnectionInfo> list() {
        return byName.values().stream().map(Registration::info)
                .sorted(Comparator.comparingLong(ConnectionInfo::connectedAt).thenComparing(ConnectionInfo::name))
                .toList();
    }

    public Optional<ConnectionInfo> find(String name) {
        return Optional.ofNullable(byName.get(name)).map(Registration::info);
    }

    /** {@link ClientConnection#sessionDetails} of the connection named {@code name}; empty when none is listed. */
    public Map<String, Object> sessionDetails(String name) {
        Registration e = byName.get(name);
        return e == null ? Map.of() : e.connection().sessionDetails();
    }

    public int size() {
        return byName.size();
    }

    /**
     * The channels of each connection {@code which} selects, read on each connection's own thread, all at once; a
     * connection that does not answer within {@code wait} (its loop is busy, or it is closing) has none listed.
     * Blocks the caller up to {@code wait}: never call it on an event loop.
     */
    public Map<ConnectionInfo, List<ChannelInfo>> channels(Predicate<ConnectionInfo> which, Duration wait) {
        Map<ConnectionInfo, CompletableFuture<List<ChannelInfo>>> asked = new LinkedHashMap<>();
        for (ConnectionInfo info : list()) {
            Registration e = byName.get(info.name());
            if (e != null && which.test(info)) {
                asked.put(info, e.connection().channels());
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        Map<ConnectionInfo, List<ChannelInfo>> out = new LinkedHashMap<>();
        asked.forEach((info, f) -> {
            List<ChannelInfo> channels;
            try {
                channels = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                channels = List.of();
            } catch (Exception ex) {
                channels = List.of();
            }
            out.put(info, channels);
        });
        return out;
    }

    /** Closes the connection named {@code name} as an administrator's action; false when none is listed. */
    public boolean close(String name, String reason) {
        Registration e = byName.get(name);
        if (e == null) {
            return false;
        }
        e.connection().forceClose(ForcedClose.ADMINISTRATIVE, reason);
        return true;
    }

    /**
     * Closes every connection {@code which} selects as an administrator's action (a deleted user's, or a user's in
     * a vhost it lost access to); returns how many it asked to close.
     */
    public int closeWhere(Predicate<ConnectionInfo> which, String reason) {
        int n = 0;
        for (Registration e : byName.values()) {
            if (which.test(e.info())) {
                e.connection().forceClose(ForcedClose.ADMINISTRATIVE, reason);
                n++;
            }
        }
        return n;
    }

    /**
     * The broker is stopping: tells every connection so ({@link ForcedClose#SHUTDOWN}) and waits until their sockets
     * have closed or {@code wait} has passed, whichever is first; true when none is left. Call it after the
     * listeners stopped accepting and before the event loops shut down, never on an event loop.
     */
    public boolean shutdown(String reason, Duration wait) {
        byName.values().forEach(e -> e.connection().forceClose(ForcedClose.SHUTDOWN, reason));
        long deadline = System.nanoTime() + wait.toNanos();
        while (!byName.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return byName.isEmpty();
    }
}
