package dev.junction.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Forces the writer's files and the store directory; the fsyncs of the write path count in the statistics. */
final class FileSync {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private final Path dir;
    private final WriterStats stats;
    /** False under {@link FsyncPolicy.Mode#NEVER}, where writes are only handed to the OS. */
    final boolean forceWrites;
    volatile LogWriter.SyncHook syncHook;

    FileSync(Path dir, FsyncPolicy policy, WriterStats stats) {
        this.dir = dir;
        this.stats = stats;
        this.forceWrites = policy.mode() != FsyncPolicy.Mode.NEVER;
    }

    void force(FileChannel ch) throws IOException {
        LogWriter.SyncHook hook = syncHook;
        if (hook != null) {
            hook.beforeForce();
        }
        long t0 = System.nanoTime();
        ch.force(false);
        long took = System.nanoTime() - t0;
        stats.fsyncs.incrementAndGet();
        stats.fsyncNanos.addAndGet(took);
        if (took > stats.fsyncMaxNanos) {
            stats.fsyncMaxNanos = took;
        }
        stats.fsyncListener.accept(took);
        if (hook != null) {
            hook.afterForce();
        }
    }

    /** Makes a created, renamed or deleted file name durable. */
    void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; there the rename or create is as durable as it gets.
            LOG.debug("could not sync directory {}: {}", dir, e.toString());
        }
    }
}
