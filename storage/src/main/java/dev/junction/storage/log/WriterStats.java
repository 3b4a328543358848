package dev.junction.storage.log;

import java.util.concurrent.atomic.AtomicLong;

/** The writer's statistics for metrics: only the writer thread changes them, and any thread reads them. */
final class WriterStats {

    final AtomicLong fsyncs = new AtomicLong();
    final AtomicLong fsyncNanos = new AtomicLong();
    volatile long fsyncMaxNanos;
    /** One counter for segments and metadata log alike, so a reader never sums two values from different times. */
    volatile long bytesOnDisk;
    volatile int segmentCount;
    volatile long compactedBytes;
    volatile long compactions;
    /** Told each fsync's duration in nanoseconds, on the writer thread; for a latency histogram. */
    volatile java.util.function.LongConsumer fsyncListener = nanos -> { };
}
