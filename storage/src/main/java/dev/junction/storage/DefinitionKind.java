package dev.junction.storage;

/**
 * What a stored {@link Definition} describes; recovery replays them in this order. The log stores the ordinal, so
 * new kinds go at the end (policies come after the queues and exchanges they apply to).
 */
public enum DefinitionKind {
    VHOST, USER, PERMISSION, EXCHANGE, QUEUE, BINDING, POLICY,
    /** What an exchange remembers between messages (a deduplication exchange's recent keys), by exchange and key. */
    EXCHANGE_STATE
}
