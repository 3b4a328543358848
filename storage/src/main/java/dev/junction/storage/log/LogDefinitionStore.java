package dev.junction.storage.log;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.DefinitionStore;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The {@link DefinitionStore} of a {@link LogMessageStore}, kept in its metadata log. */
final class LogDefinitionStore implements DefinitionStore {

    private final MetaAccess meta;

    LogDefinitionStore(MetaAccess meta) {
        this.meta = meta;
    }

    @Override
    public CompletableFuture<Void> put(Definition d) {
        Objects.requireNonNull(d, "definition");
        Objects.requireNonNull(d.kind(), "kind");
        Objects.requireNonNull(d.vhost(), "vhost");
        Objects.requireNonNull(d.name(), "name");
        Objects.requireNonNull(d.data(), "data");
        return meta.change(Records.DEFINITION_PUT, new MetaState.DefKey(d.kind(), d.vhost(), d.name()),
                MetaState.definitionPut(d));
    }

    @Override
    public CompletableFuture<Void> delete(DefinitionKind kind, String vhost, String name) {
        MetaState.DefKey key = new MetaState.DefKey(Objects.requireNonNull(kind, "kind"),
                Objects.requireNonNull(vhost, "vhost"), Objects.requireNonNull(name, "name"));
        return meta.change(Records.DEFINITION_DELETE, key, MetaState.definitionDelete(key));
    }

    @Override
    public List<Definition> all() {
        return meta.read(MetaState::definitions);
    }
}
