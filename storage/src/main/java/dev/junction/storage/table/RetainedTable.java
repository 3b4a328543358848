package dev.junction.storage.table;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The {@link RetainedStore} over a {@link KeyedTable} keyed by (vhost, topic). */
public final class RetainedTable extends VhostTable<RetainedMessage> implements RetainedStore {

    public RetainedTable(KeyedTable<VhostKey> table) {
        super(table, "topic", (k, data) -> new RetainedMessage(k.vhost(), k.name(), data));
    }

    @Override
    public CompletableFuture<Void> put(RetainedMessage m) {
        Objects.requireNonNull(m, "message");
        return put(m.vhost(), m.topic(), m.data());
    }

    @Override
    public List<Entry> index() {
        return sizes().stream().map(s -> new Entry(s.key().vhost(), s.key().name(), s.size())).toList();
    }
}
