package dev.junction.storage.memory;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** One retained message per (vhost, topic). */
final class InMemoryRetainedStore implements RetainedStore {

    private record Key(String vhost, String topic) {
    }

    private final StoreGuard guard;
    private final Map<Key, RetainedMessage> messages = new HashMap<>();

    InMemoryRetainedStore(StoreGuard guard) {
        this.guard = guard;
    }

    @Override
    public synchronized CompletableFuture<Void> put(RetainedMessage message) {
        Objects.requireNonNull(message, "message");
        RetainedMessage copy = copyOf(message);
        guard.checkOpen();
        messages.put(new Key(copy.vhost(), copy.topic()), copy);
        return StoreGuard.done();
    }

    @Override
    public synchronized CompletableFuture<Void> delete(String vhost, String topic) {
        Key key = new Key(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(topic, "topic"));
        guard.checkOpen();
        messages.remove(key);
        return StoreGuard.done();
    }

    @Override
    public synchronized List<RetainedMessage> all() {
        guard.checkOpen();
        return messages.values().stream().map(InMemoryRetainedStore::copyOf).toList();
    }

    @Override
    public synchronized List<Entry> index() {
        guard.checkOpen();
        return messages.values().stream().map(m -> new Entry(m.vhost(), m.topic(), m.data().length)).toList();
    }

    @Override
    public synchronized java.util.Optional<RetainedMessage> get(String vhost, String topic) {
        Key key = new Key(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(topic, "topic"));
        guard.checkOpen();
        RetainedMessage m = messages.get(key);
        return m == null ? java.util.Optional.empty() : java.util.Optional.of(copyOf(m));
    }

    synchronized void clear() {
        messages.clear();
    }

    private static RetainedMessage copyOf(RetainedMessage m) {
        return new RetainedMessage(
                Objects.requireNonNull(m.vhost(), "vhost"),
                Objects.requireNonNull(m.topic(), "topic"),
                Objects.requireNonNull(m.data(), "data").clone());
    }
}
