package dev.junction.storage.log;

import dev.junction.storage.SessionStore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@link SessionStore} of a {@link LogMessageStore}, kept in its metadata log. */
final class LogSessionStore implements SessionStore {

    private final MetaAccess meta;

    LogSessionStore(MetaAccess meta) {
        this.meta = meta;
    }

    @Override
    public CompletableFuture<Void> put(Session s) {
        Objects.requireNonNull(s, "session");
        String vhost = Objects.requireNonNull(s.vhost(), "vhost");
        String clientId = Objects.requireNonNull(s.clientId(), "clientId");
        byte[] data = Objects.requireNonNull(s.data(), "data");
        return meta.change(Records.SESSION_PUT, new MetaState.SessionKey(vhost, clientId),
                MetaState.pairPut(vhost, clientId, data));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String clientId) {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(clientId, "clientId");
        return meta.change(Records.SESSION_DELETE, new MetaState.SessionKey(vhost, clientId),
                MetaState.pairDelete(vhost, clientId));
    }

    @Override
    public Optional<Session> get(String vhost, String clientId) {
        MetaState.SessionKey key = new MetaState.SessionKey(Objects.requireNonNull(vhost, "vhost"),
                Objects.requireNonNull(clientId, "clientId"));
        return Optional.ofNullable(meta.read(m -> m.session(key)));
    }

    @Override
    public List<Session> all() {
        return meta.read(MetaState::sessions);
    }
}
