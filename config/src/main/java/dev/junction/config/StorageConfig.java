package dev.junction.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how durable data is kept. {@code dir} is kept exactly as written: a relative path
 * is resolved by the broker against its working directory, not against the config file.
 * {@code queueWindowMessages} and {@code queueWindowBytes} bound the ready messages a durable queue keeps in
 * memory; persistent messages beyond them stay on disk until consumers get near them (0 messages: no bound).
 */
public record StorageConfig(Path dir, FsyncMode fsync, int groupCommitMaxMessages, Duration groupCommitMaxWait,
                            int queueWindowMessages, long queueWindowBytes) {

    public StorageConfig(Path dir, FsyncMode fsync, int groupCommitMaxMessages, Duration groupCommitMaxWait) {
        this(dir, fsync, groupCommitMaxMessages, groupCommitMaxWait, 2048, 8L * 1024 * 1024);
    }

    public StorageConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(groupCommitMaxWait, "groupCommitMaxWait");
    }
}
