package dev.junction.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how durable data is kept. {@code dir} is kept exactly as written: a relative path
 * is resolved by the broker against its working directory, not against the config file.
 */
public record StorageConfig(Path dir, FsyncMode fsync, int groupCommitMaxMessages, Duration groupCommitMaxWait) {
    public StorageConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(groupCommitMaxWait, "groupCommitMaxWait");
    }
}
