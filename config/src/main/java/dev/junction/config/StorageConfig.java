package dev.junction.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how durable data is kept. A relative {@code dir} in a config file was resolved against the file's
 * directory when it was read (the built-in defaults keep {@code data}, relative to the working directory).
 * {@code queueWindowMessages} and {@code queueWindowBytes} bound the ready messages a durable queue keeps in
 * memory; persistent messages beyond them stay on disk until consumers get near them (0 messages: no bound).
 * {@code compaction} lets the store rewrite the few live messages that pin its oldest segment.
 */
public record StorageConfig(Path dir, FsyncMode fsync, int groupCommitMaxMessages, Duration groupCommitMaxWait,
                            int queueWindowMessages, long queueWindowBytes, boolean compaction) {

    public static final boolean DEFAULT_COMPACTION = true;

    public StorageConfig(Path dir, FsyncMode fsync, int groupCommitMaxMessages, Duration groupCommitMaxWait) {
        this(dir, fsync, groupCommitMaxMessages, groupCommitMaxWait, 2048, 8L * 1024 * 1024, DEFAULT_COMPACTION);
    }

    public StorageConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(groupCommitMaxWait, "groupCommitMaxWait");
    }
}
