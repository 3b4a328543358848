package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;

/**
 * The first write or fsync error of the writer thread. After a failed fsync nobody can say what is on disk, so
 * every later write fails with it; reads keep working. Writer thread only.
 */
final class WriteFailure {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private Throwable failure;

    boolean failed() {
        return failure != null;
    }

    /** The error that write futures fail with, or null. */
    Throwable get() {
        return failure;
    }

    void fail(Throwable e) {
        if (failure == null) {
            failure = e instanceof CompletionException ? e : new CompletionException("store write failed", e);
            LOG.error("store write failed; every further write will fail until the broker restarts", e);
        }
    }
}
