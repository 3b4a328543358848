package dev.junction.storage.table;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link DefinitionStore} over a {@link KeyedTable}. The table keeps first-put order across kinds; a stable
 * sort by kind turns that into the recovery order {@link DefinitionStore#all()} promises.
 */
public final class DefinitionTable implements DefinitionStore {

    private final KeyedTable<DefinitionKey> table;

    public DefinitionTable(KeyedTable<DefinitionKey> table) {
        this.table = table;
    }

    @Override
    public CompletableFuture<Void> put(Definition d) {
        Objects.requireNonNull(d, "definition");
        DefinitionKey key = key(d.kind(), d.vhost(), d.name());
        return table.put(key, Objects.requireNonNull(d.data(), "data"));
    }

    @Override
    public CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name) {
        return table.delete(key(kind, vhost, name));
    }

    @Override
    public List<Definition> all() {
        List<Definition> all = new ArrayList<>();
        for (KeyedTable.Row<DefinitionKey> row : table.all()) {
            DefinitionKey k = row.key();
            all.add(new Definition(k.kind(), k.vhost(), k.name(), row.data()));
        }
        all.sort(Comparator.comparing(Definition::kind)); // stable: first-put order within a kind
        return all;
    }

    private static DefinitionKey key(DefinitionKind kind, String vhost, String name) {
        return new DefinitionKey(Objects.requireNonNull(kind, "kind"), Objects.requireNonNull(vhost, "vhost"),
                Objects.requireNonNull(name, "name"));
    }
}
