package dev.junction.routing.api;

import dev.junction.config.Quotas;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Counts client connections per vhost and per user, and AMQP channels per user, against the RabbitMQ-style vhost
 * and user limits ({@code max-connections}, {@code max-channels}). Shared by every protocol adapter, so an MQTT
 * connection and an AMQP connection of one user count against the same limit.
 *
 * <p>Rules: a connection counts from a successful {@link #open} until {@link Lease#close()} (which is idempotent);
 * a refused {@code open} counts nothing. Each check and its increment are one atomic step per key, so two
 * connections racing for the last slot cannot both get it. Called from any event loop; no locks are held.
 */
public final class ConnectionQuotas {
    private final Supplier<Quotas> quotas;
    private final Map<String, Integer> byVhost = new ConcurrentHashMap<>();
    private final Map<String, Integer> byUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> channelsByUser = new ConcurrentHashMap<>();

    public ConnectionQuotas(Supplier<Quotas> quotas) {
        this.quotas = quotas;
    }

    /** One admitted connection; closing it gives its slots back. */
    public final class Lease implements AutoCloseable {
        private final String user;
        private final String vhost;
        private boolean closed;

        private Lease(String user, String vhost) {
            this.user = user;
            this.vhost = vhost;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                release(byVhost, vhost);
                release(byUser, user);
            }
        }
    }

    /**
     * Admits a connection of {@code user} to {@code vhost}, or throws NOT_ALLOWED with RabbitMQ's wording when the
     * vhost's or the user's {@code max_connections} is reached.
     */
    public Lease open(String user, String vhost) {
        Quotas q = quotas.get();
        int vhostMax = q.vhost(vhost).maxConnections();
        if (!acquire(byVhost, vhost, vhostMax)) {
            throw BrokerException.notAllowed("access to vhost '" + vhost + "' refused for user '" + user
                    + "': vhost connection limit (" + vhostMax + ") is reached");
        }
        int userMax = q.user(user).maxConnections();
        if (!acquire(byUser, user, userMax)) {
            release(byVhost, vhost);
            throw BrokerException.notAllowed("Connection refused for user '" + user + "'. User connection limit ("
                    + userMax + ") is reached");
        }
        return new Lease(user, vhost);
    }

    /** Counts a channel of {@code user}, or throws NOT_ALLOWED when the user's {@code max_channels} is reached. */
    public void openChannel(String user) {
        int max = quotas.get().user(user).maxChannels();
        if (!acquire(channelsByUser, user, max)) {
            throw BrokerException.notAllowed("number of channels opened for user '" + user
                    + "' has reached the maximum allowed user limit of (" + max + ")");
        }
    }

    /** A channel counted by {@link #openChannel} closed. */
    public void closeChannel(String user) {
        release(channelsByUser, user);
    }

    public int connections(String user) {
        return byUser.getOrDefault(user, 0);
    }

    public int channels(String user) {
        return channelsByUser.getOrDefault(user, 0);
    }

    /** Increments the key's count unless it is at {@code max} (0 = unlimited); true when it did. */
    private static boolean acquire(Map<String, Integer> counts, String key, int max) {
        boolean[] got = {false};
        counts.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            if (max > 0 && now >= max) {
                return n;
            }
            got[0] = true;
            return now + 1;
        });
        return got[0];
    }

    private static void release(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
