package dev.junction.storage.table;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@link RetainedStore} over a {@link KeyedTable} keyed by (vhost, topic). */
public final class RetainedTable implements RetainedStore {

    private final KeyedTable<VhostKey> table;

    public RetainedTable(KeyedTable<VhostKey> table) {
        this.table = table;
    }

    @Override
    public CompletableFuture<Void> put(RetainedMessage m) {
        Objects.requireNonNull(m, "message");
        VhostKey key = key(m.vhost(), m.topic());
        return table.put(key, Objects.requireNonNull(m.data(), "data"));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String topic) {
        return table.delete(key(vhost, topic));
    }

    @Override
    public List<RetainedMessage> all() {
        return table.all().stream().map(r -> new RetainedMessage(r.key().vhost(), r.key().name(), r.data())).toList();
    }

    @Override
    public List<Entry> index() {
        return table.sizes().stream().map(s -> new Entry(s.key().vhost(), s.key().name(), s.size())).toList();
    }

    @Override
    public Optional<RetainedMessage> get(String vhost, String topic) {
        VhostKey key = key(vhost, topic);
        return Optional.ofNullable(table.get(key)).map(data -> new RetainedMessage(vhost, topic, data));
    }

    private static VhostKey key(String vhost, String topic) {
        return new VhostKey(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(topic, "topic"));
    }
}
