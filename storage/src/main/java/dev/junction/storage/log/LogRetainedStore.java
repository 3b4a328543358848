package dev.junction.storage.log;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The {@link RetainedStore} of a {@link LogMessageStore}, kept in its metadata log. */
final class LogRetainedStore implements RetainedStore {

    private final MetaAccess meta;

    LogRetainedStore(MetaAccess meta) {
        this.meta = meta;
    }

    @Override
    public CompletableFuture<Void> put(RetainedMessage m) {
        Objects.requireNonNull(m, "message");
        String vhost = Objects.requireNonNull(m.vhost(), "vhost");
        String topic = Objects.requireNonNull(m.topic(), "topic");
        byte[] data = Objects.requireNonNull(m.data(), "data");
        return meta.change(Records.RETAINED_PUT, new MetaState.RetainedKey(vhost, topic),
                MetaState.pairPut(vhost, topic, data));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String topic) {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(topic, "topic");
        return meta.change(Records.RETAINED_DELETE, new MetaState.RetainedKey(vhost, topic),
                MetaState.pairDelete(vhost, topic));
    }

    @Override
    public List<RetainedMessage> all() {
        return meta.read(MetaState::retained);
    }

    @Override
    public List<Entry> index() {
        return meta.read(MetaState::retainedIndex);
    }

    @Override
    public java.util.Optional<RetainedMessage> get(String vhost, String topic) {
        MetaState.RetainedKey key = new MetaState.RetainedKey(Objects.requireNonNull(vhost, "vhost"),
                Objects.requireNonNull(topic, "topic"));
        return java.util.Optional.ofNullable(meta.read(m -> m.retained(key)));
    }
}
