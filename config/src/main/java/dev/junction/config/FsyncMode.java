package dev.junction.config;

/** When the store forces written messages to disk. YAML spelling: {@code group | always | never}. */
public enum FsyncMode {
    /** Batch fsyncs: one fsync covers every write that arrived within the group-commit window. */
    GROUP,
    /** One fsync per write before it is acknowledged; safest and slowest. */
    ALWAYS,
    /** Leave flushing to the OS; a machine crash can lose acknowledged messages. */
    NEVER
}
