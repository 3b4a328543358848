package dev.junction.storage.memory;

import dev.junction.storage.SessionStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One session per (vhost, clientId). */
final class InMemorySessionStore implements SessionStore {

    private record Key(String vhost, String clientId) {
    }

    private final StoreGuard guard;
    private final Map<Key, Session> sessions = new HashMap<>();

    InMemorySessionStore(StoreGuard guard) {
        this.guard = guard;
    }

    @Override
    public synchronized CompletableFuture<Void> put(Session session) {
        Objects.requireNonNull(session, "session");
        Session copy = copyOf(session);
        guard.checkOpen();
        sessions.put(new Key(copy.vhost(), copy.clientId()), copy);
        return StoreGuard.done();
    }

    @Override
    public synchronized CompletableFuture<Void> delete(String vhost, String clientId) {
        Key key = key(vhost, clientId);
        guard.checkOpen();
        sessions.remove(key);
        return StoreGuard.done();
    }

    @Override
    public synchronized Optional<Session> get(String vhost, String clientId) {
        Key key = key(vhost, clientId);
        guard.checkOpen();
        return Optional.ofNullable(sessions.get(key)).map(InMemorySessionStore::copyOf);
    }

    @Override
    public synchronized List<Session> all() {
        guard.checkOpen();
        return sessions.values().stream().map(InMemorySessionStore::copyOf).toList();
    }

    synchronized void clear() {
        sessions.clear();
    }

    private static Key key(String vhost, String clientId) {
        return new Key(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(clientId, "clientId"));
    }

    private static Session copyOf(Session s) {
        return new Session(
                Objects.requireNonNull(s.vhost(), "vhost"),
                Objects.requireNonNull(s.clientId(), "clientId"),
                Objects.requireNonNull(s.data(), "data").clone());
    }
}
