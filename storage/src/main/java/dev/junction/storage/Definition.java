package dev.junction.storage;

/**
 * One durable definition (a vhost, exchange, queue, binding, user or permission). {@code name} is unique per
 * kind and vhost; the engine picks the name for composite objects such as bindings. {@code data} is the
 * engine's encoding of the definition.
 */
public record Definition(DefinitionKind kind, String vhost, String name, byte[] data) {
}
