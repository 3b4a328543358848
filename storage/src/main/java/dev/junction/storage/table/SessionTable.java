package dev.junction.storage.table;

import dev.junction.storage.SessionStore;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The {@link SessionStore} over a {@link KeyedTable} keyed by (vhost, client id). */
public final class SessionTable extends VhostTable<SessionStore.Session> implements SessionStore {

    public SessionTable(KeyedTable<VhostKey> table) {
        super(table, "clientId", (k, data) -> new Session(k.vhost(), k.name(), data));
    }

    @Override
    public CompletableFuture<Void> put(Session s) {
        Objects.requireNonNull(s, "session");
        return put(s.vhost(), s.clientId(), s.data());
    }
}
