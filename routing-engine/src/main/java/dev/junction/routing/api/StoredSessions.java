package dev.junction.routing.api;

import dev.junction.storage.SessionStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@link KeyedRecords} of one vhost over the store's session table. */
final class StoredSessions implements KeyedRecords {
    private final SessionStore store;
    private final String vhost;

    StoredSessions(SessionStore store, String vhost) {
        this.store = store;
        this.vhost = vhost;
    }

    @Override
    public CompletableFuture<Void> put(String key, byte[] data) {
        return store.put(new SessionStore.Session(vhost, key, data));
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return store.delete(vhost, key);
    }

    @Override
    public Optional<byte[]> get(String key) {
        return store.get(vhost, key).map(SessionStore.Session::data);
    }

    @Override
    public Map<String, byte[]> all() {
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (SessionStore.Session s : store.all()) {
            if (s.vhost().equals(vhost)) {
                records.put(s.clientId(), s.data());
            }
        }
        return records;
    }
}
