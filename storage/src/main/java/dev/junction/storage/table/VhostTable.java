package dev.junction.storage.table;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Entries keyed by (vhost, name) over a {@link KeyedTable}, as a public store hands them out: what
 * {@link RetainedTable} (name: topic) and {@link SessionTable} (name: client id) have in common. The public
 * methods here implement their interfaces' delete, get and all.
 */
abstract class VhostTable<V> {

    private final KeyedTable<VhostKey> table;
    /** What the name is, for the message of a null check. */
    private final String nameIs;
    private final BiFunction<VhostKey, byte[], V> entry;

    VhostTable(KeyedTable<VhostKey> table, String nameIs, BiFunction<VhostKey, byte[], V> entry) {
        this.table = table;
        this.nameIs = nameIs;
        this.entry = entry;
    }

    final CompletableFuture<Void> put(String vhost, String name, byte[] data) {
        VhostKey key = key(vhost, name);
        return table.put(key, Objects.requireNonNull(data, "data"));
    }

    public final CompletableFuture<Void> delete(String vhost, String name) {
        return table.delete(key(vhost, name));
    }

    public final Optional<V> get(String vhost, String name) {
        VhostKey key = key(vhost, name);
        return Optional.ofNullable(table.get(key)).map(data -> entry.apply(key, data));
    }

    public final List<V> all() {
        return table.all().stream().map(row -> entry.apply(row.key(), row.data())).toList();
    }

    final List<KeyedTable.Sized<VhostKey>> sizes() {
        return table.sizes();
    }

    private VhostKey key(String vhost, String name) {
        return new VhostKey(Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(name, nameIs));
    }
}
