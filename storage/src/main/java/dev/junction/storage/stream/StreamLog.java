package dev.junction.storage.stream;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An append-only log of one stream: records get consecutive offsets and stay until retention deletes the segment
 * holding them; reading does not remove anything. Appends return at once; the future completes on the writer's
 * thread once the record is forced to disk, and only then does a read see it.
 *
 * <p>Rules every implementation follows (the contract test checks them):
 * <ul>
 *   <li><b>Offsets.</b> The first record ever appended has offset 0; each next one, one more. Offsets survive a
 *       restart and are never reused, also after retention deleted every older record.</li>
 *   <li><b>Timestamps.</b> A record's timestamp is the one given, raised to the previous record's if lower, so
 *       they never go down along the log and {@link #offsetAt} can search them.</li>
 *   <li><b>Visibility.</b> A record is readable, and counted by {@link #end}, no later than when its future
 *       completes, and not before it is durable.</li>
 *   <li><b>Retention.</b> Whole segments go, oldest first, when a new segment starts, at open and when
 *       {@link #retention} gives new settings: while the log is over {@code maxBytes}, or while its oldest
 *       segment's newest record is older than {@code maxAgeMillis}. The segment being written is never deleted. {@link #first} moves with it.</li>
 *   <li><b>Threads.</b> All methods may be called from any thread.</li>
 * </ul>
 */
public interface StreamLog {

    /**
     * Appends {@code data}; completes with its offset once it is on disk. The log keeps the array until it is
     * written (no copy: a publish's encoded message is made for this), so the caller must not change it.
     */
    CompletableFuture<Long> append(byte[] data, long timestamp);

    /** The offset of the oldest record still kept ({@link #end()} when there is none). */
    long first();

    /** The offset the next appended record will get, counting only durable records. */
    long end();

    /** Bytes on disk (segment files), what {@code maxBytes} limits. */
    long bytes();

    /** Segment files on disk. */
    int segmentCount();

    /**
     * The offset of the first durable record with a timestamp at or after {@code timestamp}, or {@link #end()}
     * when every record is older. Uses the time index: O(log of the index) reads, not a scan of the log.
     */
    long offsetAt(long timestamp);

    /**
     * Reads from {@code cursor} on: up to {@code max} records and about {@code maxBytes} bytes (at least one
     * record), moving the cursor past them. A cursor before {@link #first()} moves to it first; at the end the
     * list is empty.
     */
    List<StreamRecord> read(StreamCursor cursor, int max, long maxBytes);

    /**
     * Replaces the log's settings (a policy changed): retention runs at once on the writer thread with the new
     * limits, and the future completes after it; a new segment size applies from the next segment started.
     */
    CompletableFuture<Void> retention(StreamLogSettings settings);

    /** Calls {@code listener} (on the writer's thread, quickly) each time new records became durable. */
    void onDurable(Runnable listener);

    /** Flushes what was appended and closes the files. */
    void close();
}
