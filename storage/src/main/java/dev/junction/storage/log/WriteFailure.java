package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletionException;

/**
 * Why the writer cannot make writes durable now. Two kinds, with different ends:
 * <ul>
 *   <li>An <b>incident</b>: a write or fsync failed with an {@link IOException} (a full disk, a failing device).
 *       Every file keeps the bytes written since its last durable point ({@link RedoFile}), and the writer tries
 *       again to write them; once that succeeds the incident is over and writes are confirmed again. Meanwhile
 *       every write's future fails, so nothing that is not on disk is confirmed.</li>
 *   <li>A <b>fatal</b> failure: an {@link Error} or a bug escaped the write path, or a file could not be opened.
 *       Every later write fails until the store is closed; reads keep working.</li>
 * </ul>
 * One log line when an incident starts and one when it ends, however many writes fail in between. Writer thread
 * changes it; {@link #writable()} is read by any thread.
 */
final class WriteFailure {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private Throwable fatal;
    private CompletionException incident;
    private long incidentStart;
    private long failedWrites;
    private volatile boolean writable = true;

    boolean failed() {
        return fatal != null || incident != null;
    }

    boolean fatal() {
        return fatal != null;
    }

    boolean incident() {
        return incident != null;
    }

    /** Whether writes are being made durable now (any thread). */
    boolean writable() {
        return writable;
    }

    /** The error that write futures fail with, or null. */
    Throwable get() {
        return fatal != null ? fatal : incident;
    }

    /** Counts a command whose future fails with the incident, for the line that ends it. */
    void countFailed(int n) {
        failedWrites += n;
    }

    /** A write or fsync failed: starts an incident unless one is under way. */
    void ioFailed(IOException e) {
        if (incident == null && fatal == null) {
            incident = new CompletionException("store cannot write: " + e.getMessage(), e);
            incidentStart = System.nanoTime();
            failedWrites = 0;
            writable = false;
            LOG.error("store cannot write ({}); writes fail until the store can write again", e.toString());
        }
    }

    /** Everything written during the incident is now durable. */
    void resumed() {
        if (incident != null) {
            LOG.warn("store writes again after {} ms; {} writes failed meanwhile",
                    (System.nanoTime() - incidentStart) / 1_000_000, failedWrites);
            incident = null;
            writable = fatal == null;
        }
    }

    void fail(Throwable e) {
        if (e instanceof IOException io) {
            ioFailed(io);
            return;
        }
        if (fatal == null) {
            fatal = e instanceof CompletionException ? e : new CompletionException("store write failed", e);
            writable = false;
            LOG.error("store write failed; every further write will fail until the broker restarts", e);
        }
    }
}
