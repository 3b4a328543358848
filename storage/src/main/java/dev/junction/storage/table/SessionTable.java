package dev.junction.storage.table;

import dev.junction.storage.SessionStore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@link SessionStore} over a {@link KeyedTable} keyed by (vhost, client id). */
public final class SessionTable implements SessionStore {

    private final KeyedTable<VhostKey> table;

    public SessionTable(KeyedTable<VhostKey> table) {
        this.table = table;
    }

    @Override
    public CompletableFuture<Void> put(Session s) {
        Objects.requireNonNull(s, "session");
        VhostKey key = key(s.vhost(), s.clientId());
        return table.put(key, Objects.requireNonNull(s.data(), "data"));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String clientId) {
        return table.delete(key(vhost, clientId));
    }

    @Override
    public Optional<Session> get(String vhost, String clientId) {
        VhostKey key = key(vhost, clientId);
        return Optional.ofNullable(table.get(key)).map(data -> new Session(vhost, clientId, data));
    }

    @Override
    public List<Session> all() {
        return table.all().stream().map(r -> new Session(r.key().vhost(), r.key().name(), r.data())).toList();
    }

    private static VhostKey key(String vhost, String clientId) {
        return new VhostKey(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(clientId, "clientId"));
    }
}
