package dev.junction.routing;

import dev.junction.storage.MessageStore;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raised while the store's file system has less free space than the limit ({@code limits.disk_free_limit}), or
 * while the store cannot write at all (a write failed and it has not yet written it again). It blocks publishers
 * of every protocol through the {@link MemoryAlarm}'s listeners, before the disk is full rather than after, as
 * RabbitMQ's disk alarm does; consumers go on, so queues drain and acks free space.
 *
 * <p>Free space is read every {@value #CHECK_EVERY_MS} ms on the engine's timer (one {@code statfs}); RabbitMQ
 * checks every 10 s and faster near the limit. A limit above what publishers can write between two checks keeps
 * the disk from filling. One log line when it is raised and one when it clears.
 */
public final class DiskAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(DiskAlarm.class);
    static final long CHECK_EVERY_MS = 500;

    private final MessageStore store;
    private final MemoryAlarm publishers;
    private volatile FileStore fileStore;
    private volatile Path dir;
    private volatile long limitBytes;
    private volatile boolean raised;
    private volatile long lastFree = -1;
    private ScheduledFuture<?> task;

    DiskAlarm(MessageStore store, MemoryAlarm publishers) {
        this.store = store;
        this.publishers = publishers;
    }

    void start(ScheduledExecutorService timers) {
        task = timers.scheduleWithFixedDelay(this::check, CHECK_EVERY_MS, CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Watches the file system that holds {@code storeDir}: below {@code limitBytes} free, publishers block. */
    public void watch(Path storeDir, long limitBytes) {
        try {
            this.fileStore = Files.getFileStore(storeDir);
            this.dir = storeDir;
            this.limitBytes = limitBytes;
            LOG.info("disk free limit set to {} bytes for {}", limitBytes, storeDir.toAbsolutePath());
        } catch (IOException e) {
            LOG.warn("cannot watch free space of {} ({}); only store write failures raise the disk alarm",
                    storeDir, e.toString());
        }
        check();
    }

    public boolean raised() {
        return raised;
    }

    /** Free bytes at the last check, or -1 when not watched. */
    public long freeBytes() {
        return lastFree;
    }

    public long limitBytes() {
        return limitBytes;
    }

    synchronized void check() {
        FileStore fs = fileStore;
        long free = -1;
        if (fs != null) {
            try {
                free = fs.getUsableSpace();
            } catch (IOException e) {
                free = -1;
            }
        }
        lastFree = free;
        boolean lowSpace = free >= 0 && free < limitBytes;
        boolean cannotWrite = !store.writable();
        boolean on = lowSpace || cannotWrite;
        if (on && !raised) {
            LOG.warn("disk alarm: {}; blocking publishers", cannotWrite ? "the store cannot write"
                    : "free space " + free + " bytes in " + dir + " is below the limit of " + limitBytes);
        } else if (!on && raised) {
            LOG.info("disk alarm cleared: {} bytes free; unblocking publishers", free);
        }
        if (on != raised) {
            raised = on;
            publishers.disk(on);
        }
    }
}
