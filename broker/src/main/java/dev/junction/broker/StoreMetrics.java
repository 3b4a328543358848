package dev.junction.broker;

import dev.junction.storage.log.LogMessageStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** Publishes the durable store's own counters: fsyncs and a histogram of their latency, disk use, recovery time. */
final class StoreMetrics {
    private StoreMetrics() {
    }

    static void bind(LogMessageStore store, MeterRegistry registry) {
        Timer fsync = Timer.builder("junction.store.fsync")
                .description("fsyncs of the message log and metadata log, and the time they took")
                .publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(50_000))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(registry);
        store.onFsync(nanos -> fsync.record(nanos, TimeUnit.NANOSECONDS));
        TimeGauge.builder("junction.store.fsync.max", store, TimeUnit.NANOSECONDS, LogMessageStore::fsyncMaxNanos)
                .description("The slowest fsync since start").register(registry);
        Gauge.builder("junction.store.bytes", store, LogMessageStore::bytesOnDisk)
                .description("Bytes the store occupies on disk").baseUnit("bytes").register(registry);
        Gauge.builder("junction.store.segments", store, LogMessageStore::segmentCount)
                .description("Message log segments on disk").register(registry);
        Gauge.builder("junction.store.messages", store, LogMessageStore::messageCount)
                .description("Persistent messages held on disk").register(registry);
        TimeGauge.builder("junction.store.recovery", store, TimeUnit.MILLISECONDS, LogMessageStore::lastRecoveryMillis)
                .description("How long the last start took to read the store back").register(registry);
        FunctionCounter.builder("junction.store.fsyncs", store, LogMessageStore::fsyncCount)
                .description("fsyncs done since start").register(registry);
    }
}
