package dev.junction.storage.table;

import dev.junction.storage.DefinitionKind;

/** The key of a stored definition: a name is unique per kind and vhost. */
public record DefinitionKey(DefinitionKind kind, String vhost, String name) {
}
