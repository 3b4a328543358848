package dev.junction.storage;

/** What a stored {@link Definition} describes; recovery replays them in this order. */
public enum DefinitionKind {
    VHOST, USER, PERMISSION, EXCHANGE, QUEUE, BINDING
}
