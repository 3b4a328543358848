package dev.junction.storage.log.bench;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.log.FsyncPolicy;
import dev.junction.storage.log.LogMessageStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The engine comparison behind docs/storage.md, not a check: N threads each append messages one at a time and
 * wait for each to be durable (a publisher with confirms), then each removes (acks) what it appended, again
 * waiting each time. Prints messages/s and latency percentiles per engine, thread count and body size.
 *
 * <p>Run with {@code mvn -B -pl storage test -Pstorage-bench -Dtest=StoreAppendBenchmark}; the profile adds
 * rocksdbjni. Excluded from the normal build by its tag.
 */
@Tag("bench")
class StoreAppendBenchmark {

    private static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(
            Long.getLong("bench.seconds", 4));
    private static final int[] THREADS = {1, 8, 32};
    private static final int[] SIZES = {16, 1024};

    @TempDir
    Path tmp;

    @Test
    void compareEngines() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-28s %7s %6s | %10s %8s %8s | %10s %8s %8s | %s",
                "engine", "threads", "bytes", "appends/s", "p50 us", "p99 us", "removes/s", "p50 us", "p99 us",
                "fsyncs"));
        List<Function<Path, BenchEngine>> engines = new ArrayList<>();
        engines.add(LogEngine::new);
        engines.add(StoreAppendBenchmark::rocksDb);
        int run = 0;
        for (Function<Path, BenchEngine> factory : engines) {
            for (int threads : THREADS) {
                for (int size : SIZES) {
                    Path dir = Files.createDirectories(tmp.resolve("run" + run++));
                    try (BenchEngine engine = factory.apply(dir)) {
                        lines.add(measure(engine, threads, size));
                        System.out.println(lines.get(lines.size() - 1));
                    }
                }
            }
        }
        System.out.println(String.join("\n", lines));
        Files.write(Path.of("target", "storage-bench.txt"), lines);
    }

    /** Recovery time of a store holding a million small messages in 100 queues. */
    @Test
    void recoverAMillionMessages() throws Exception {
        int total = 1_000_000;
        byte[] body = new byte[16];
        try (LogMessageStore store = LogMessageStore.open(tmp, FsyncPolicy.group())) {
            List<QueueKey> queues = new ArrayList<>();
            for (int q = 0; q < 100; q++) {
                queues.add(new QueueKey("/", "q" + q));
            }
            java.util.concurrent.CompletableFuture<Void> last = null;
            for (long id = 1; id <= total; id++) {
                last = store.append(new StoredMessage(id, body), List.of(queues.get((int) (id % 100))));
            }
            last.get();
        }
        LogMessageStore store = LogMessageStore.open(tmp, FsyncPolicy.group());
        long withStore = usedHeap();
        long messages = store.messageCount();
        long onDisk = store.bytesOnDisk();
        long millis = store.lastRecoveryMillis();
        store.close();
        store = null;
        long withoutStore = usedHeap();
        String line = String.format(Locale.ROOT,
                "recovery of %d messages (16 B, 100 queues, %d MiB on disk): %d ms, index heap ~%d MiB",
                messages, onDisk >> 20, millis, (withStore - withoutStore) >> 20);
        System.out.println(line);
        Files.write(Path.of("target", "storage-bench-recovery.txt"), List.of(line));
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    private static BenchEngine rocksDb(Path dir) {
        try {
            return (BenchEngine) Class.forName("dev.junction.storage.log.bench.RocksDbEngine")
                    .getDeclaredConstructor(Path.class).newInstance(dir);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("run with -Pstorage-bench to include RocksDB", e);
        }
    }

    private static String measure(BenchEngine engine, int threads, int size) throws Exception {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 'x');
        AtomicLong ids = new AtomicLong();
        long[][] appended = new long[threads][];
        int[] appendedCount = new int[threads];
        long[][] appendLatency = new long[threads][];
        long[][] removeLatency = new long[threads][];
        int[] removedCount = new int[threads];
        long fsyncsBefore = engine.fsyncs();

        long appendNanos = runPhase(threads, t -> {
            long[] mine = new long[1 << 16];
            long[] lat = new long[1 << 16];
            int n = 0;
            long end = System.nanoTime() + PHASE_NANOS;
            for (long now = System.nanoTime(); now < end; ) {
                long id = ids.incrementAndGet();
                engine.append(id, body);
                long after = System.nanoTime();
                if (n == mine.length) {
                    mine = Arrays.copyOf(mine, n * 2);
                    lat = Arrays.copyOf(lat, n * 2);
                }
                mine[n] = id;
                lat[n++] = after - now;
                now = after;
            }
            appended[t] = mine;
            appendedCount[t] = n;
            appendLatency[t] = Arrays.copyOf(lat, n);
        });
        long fsyncsAfterAppends = engine.fsyncs();
        long removeNanos = runPhase(threads, t -> {
            long[] lat = new long[appendedCount[t]];
            int n = 0;
            long end = System.nanoTime() + PHASE_NANOS;
            for (long now = System.nanoTime(); now < end && n < appendedCount[t]; ) {
                engine.remove(appended[t][n]);
                long after = System.nanoTime();
                lat[n++] = after - now;
                now = after;
            }
            removedCount[t] = n;
            removeLatency[t] = Arrays.copyOf(lat, n);
        });
        long appends = Arrays.stream(appendedCount).sum();
        long removes = Arrays.stream(removedCount).sum();
        long[] al = merge(appendLatency);
        long[] rl = merge(removeLatency);
        String fsyncs = fsyncsBefore < 0 ? "n/a"
                : (fsyncsAfterAppends - fsyncsBefore) + " for " + appends + " appends, mean "
                + engine.meanFsyncMicros() + " us";
        return String.format(Locale.ROOT, "%-28s %7d %6d | %10.0f %8.0f %8.0f | %10.0f %8.0f %8.0f | %s",
                engine.name(), threads, size,
                appends * 1e9 / appendNanos, pct(al, 50), pct(al, 99),
                removes * 1e9 / removeNanos, pct(rl, 50), pct(rl, 99), fsyncs);
    }

    private interface Body {
        void run(int thread) throws Exception;
    }

    private static long runPhase(int threads, Body body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    body.run(thread);
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            th.start();
            all.add(th);
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread th : all) {
            th.join();
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("benchmark thread failed", errors.get(0));
        }
        return System.nanoTime() - t0;
    }

    private static long[] merge(long[][] parts) {
        long[] all = Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
        Arrays.sort(all);
        return all;
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * p / 100))] / 1000.0;
    }

    /** The log store with group commit, one durable queue. */
    private static final class LogEngine implements BenchEngine {
        private static final QueueKey QUEUE = new QueueKey("/", "orders");
        private final LogMessageStore store;

        LogEngine(Path dir) {
            store = LogMessageStore.open(dir, FsyncPolicy.group());
        }

        @Override
        public String name() {
            return "log store (fsync group)";
        }

        @Override
        public void append(long id, byte[] body) throws Exception {
            store.append(new StoredMessage(id, body), List.of(QUEUE)).get();
        }

        @Override
        public void remove(long id) throws Exception {
            store.remove(QUEUE, id).get();
        }

        @Override
        public long fsyncs() {
            return store.fsyncCount();
        }

        @Override
        public long meanFsyncMicros() {
            return store.fsyncTotalNanos() / Math.max(1, store.fsyncCount()) / 1000;
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
