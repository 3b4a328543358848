package dev.junction.routing.api;

import dev.junction.routing.MessageCodec;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** {@link RetainedRecords} of one vhost over the store's retained table, in the engine's message encoding. */
final class StoredRetained implements RetainedRecords {
    private final RetainedStore store;
    private final String vhost;

    StoredRetained(RetainedStore store, String vhost) {
        this.store = store;
        this.vhost = vhost;
    }

    @Override
    public CompletableFuture<Void> put(String topic, Message message) {
        return store.put(new RetainedMessage(vhost, topic, MessageCodec.encode(message)));
    }

    @Override
    public CompletableFuture<Void> put(String topic, byte[] encodedMessage) {
        return store.put(new RetainedMessage(vhost, topic, encodedMessage));
    }

    @Override
    public CompletableFuture<Void> delete(String topic) {
        return store.delete(vhost, topic);
    }

    /** An unreadable record surfaces as the codec's exception, for the caller to log and skip. */
    @Override
    public Optional<Message> get(String topic) {
        return store.get(vhost, topic).map(r -> MessageCodec.decode(r.data()));
    }

    @Override
    public void watch(java.util.function.ObjIntConsumer<String> changed) {
        store.watch((v, topic, size) -> {
            if (v.equals(vhost)) {
                changed.accept(topic, size);
            }
        });
    }

    @Override
    public Map<String, Integer> index() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (RetainedStore.Entry e : store.index()) {
            if (e.vhost().equals(vhost)) {
                sizes.put(e.topic(), e.size());
            }
        }
        return sizes;
    }
}
