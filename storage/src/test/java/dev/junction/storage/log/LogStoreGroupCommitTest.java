package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Fsync policies: groups share fsyncs, and no future completes before the fsync that covers it. */
class LogStoreGroupCommitTest {

    private static final QueueKey Q = new QueueKey("/", "q");

    @TempDir
    Path dir;

    @Test
    void concurrentAppendsShareFsyncs() throws Exception {
        int threads = 16;
        int perThread = 100;
        AtomicLong ids = new AtomicLong();
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            store.syncHook(new LogWriter.SyncHook() {
                @Override
                public void beforeForce() {
                    // A disk at least this slow, so the test does not depend on the one it runs on.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }

                @Override
                public void afterForce() {
                }
            });
            long before = store.fsyncCount();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            AtomicBoolean failed = new AtomicBoolean();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            store.append(message(ids.incrementAndGet()), List.of(Q)).get(10, TimeUnit.SECONDS);
                        }
                    } catch (Exception e) {
                        failed.set(true);
                    }
                });
                th.start();
                all.add(th);
            }
            start.countDown();
            for (Thread th : all) {
                th.join();
            }
            assertThat(failed).isFalse();
            long appends = (long) threads * perThread;
            assertThat(store.count(Q)).isEqualTo(appends);
            // Sixteen threads waiting on their own appends: most fsyncs carry several of them.
            assertThat(store.fsyncCount() - before).isPositive().isLessThan(appends / 2);
            assertThat(store.fsyncTotalNanos()).isPositive();
            assertThat(store.fsyncMaxNanos()).isPositive().isLessThanOrEqualTo(store.fsyncTotalNanos());
        }
    }

    @Test
    void aFutureCompletesOnlyAfterTheFsyncThatCoversIt() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            HeldFsync held = new HeldFsync();
            store.syncHook(held);
            CompletableFuture<Void> first = store.append(message(1), List.of(Q));
            assertThat(held.inFsync.await(10, TimeUnit.SECONDS)).isTrue();
            // The writer is inside the fsync for message 1; more work queues up behind it meanwhile.
            CompletableFuture<Void> second = store.append(message(2), List.of(Q));
            CompletableFuture<Void> ack = store.remove(Q, 1);
            Thread.sleep(50);
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
            assertThat(ack).isNotDone();
            assertThat(store.count(Q)).isEqualTo(1); // visible at once, durable later

            AtomicLong forcesSeenByFirst = new AtomicLong(-1);
            AtomicLong forcesSeenBySecond = new AtomicLong(-1);
            first.thenRun(() -> forcesSeenByFirst.set(held.forcesDone.get()));
            second.thenRun(() -> forcesSeenBySecond.set(held.forcesDone.get()));
            held.release.countDown();
            CompletableFuture.allOf(first, second, ack).get(10, TimeUnit.SECONDS);
            assertThat(forcesSeenByFirst.get()).isEqualTo(1);
            // Message 2 and the ack waited for a second fsync: the one that covered the first had begun already.
            assertThat(forcesSeenBySecond.get()).isEqualTo(2);
        }
    }

    @Test
    void aMessageRemovedBeforeTheWriterWroteItIsDoneAtOnceAndNeedsNoFsync() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            HeldFsync held = new HeldFsync();
            store.syncHook(held);
            CompletableFuture<Void> first = store.append(message(1), List.of(Q, new QueueKey("/", "q2")));
            assertThat(held.inFsync.await(10, TimeUnit.SECONDS)).isTrue();
            // Message 2 waits behind the fsync of message 1; its consumer acknowledges it meanwhile, as RabbitMQ
            // confirms a message consumed before it was written.
            CompletableFuture<Void> second = store.append(message(2), List.of(Q));
            CompletableFuture<Void> ack = store.remove(Q, 2);
            second.get(10, TimeUnit.SECONDS);
            // Message 1 was written before its removal: it waits for its fsync, and for its last reference too.
            store.remove(Q, 1);
            Thread.sleep(50);
            assertThat(first).isNotDone();
            assertThat(ack).isNotDone();
            held.release.countDown();
            CompletableFuture.allOf(first, ack).get(10, TimeUnit.SECONDS);
            assertThat(store.count(Q)).isZero();
            assertThat(store.count(new QueueKey("/", "q2"))).isEqualTo(1);
        }
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            assertThat(store.count(Q)).isZero();
            assertThat(store.count(new QueueKey("/", "q2"))).isEqualTo(1);
        }
    }

    @Test
    void alwaysForcesEveryWrite() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.always())) {
            long before = store.fsyncCount();
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long id = 1; id <= 50; id++) {
                futures.add(store.append(message(id), List.of(Q)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(store.fsyncCount() - before).isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void groupOfManyQueuedWritesIsBoundedByMaxMessages() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(10, Duration.ofMillis(2)))) {
            HeldFsync held = new HeldFsync();
            store.syncHook(held);
            store.append(message(1), List.of(Q));
            assertThat(held.inFsync.await(10, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long id = 2; id <= 101; id++) {
                futures.add(store.append(message(id), List.of(Q)));
            }
            long before = store.fsyncCount();
            held.release.countDown();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            // 100 queued writes, at most 10 per fsync: 10 fsyncs, plus the one that was running.
            assertThat(store.fsyncCount() - before).isEqualTo(11);
        }
    }

    @Test
    void neverDoesNotForceButCompletesAndPersistsOnCleanClose() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.never())) {
            for (long id = 1; id <= 20; id++) {
                store.append(message(id), List.of(Q)).get(10, TimeUnit.SECONDS);
            }
            store.remove(Q, 3).get(10, TimeUnit.SECONDS);
            assertThat(store.fsyncCount()).isZero();
        }
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            assertThat(store.count(Q)).isEqualTo(19);
            assertThat(store.highestMessageId()).isEqualTo(20);
        }
    }

    @Test
    void policyMirrorsTheConfigurationKeys() {
        assertThat(FsyncPolicy.of("group", 500, 1))
                .isEqualTo(new FsyncPolicy(FsyncPolicy.Mode.GROUP, 500, Duration.ofMillis(1)));
        assertThat(FsyncPolicy.of("ALWAYS", 500, 1).maxMessages()).isEqualTo(1);
        assertThat(FsyncPolicy.of("never", 1000, 2).mode()).isEqualTo(FsyncPolicy.Mode.NEVER);
        assertThat(FsyncPolicy.group()).isEqualTo(FsyncPolicy.of("group", 1000, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FsyncPolicy.of("sometimes", 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FsyncPolicy.of("group", 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writerThreadIsNamedAndGoneAfterClose() throws Exception {
        LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group());
        CountDownLatch attached = new CountDownLatch(1);
        store.syncHook(new LogWriter.SyncHook() {
            @Override
            public void beforeForce() {
                try {
                    attached.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void afterForce() {
            }
        });
        List<String> completedOn = new ArrayList<>();
        CompletableFuture<Void> done = store.append(message(1), List.of(Q))
                .thenRun(() -> completedOn.add(Thread.currentThread().getName()));
        attached.countDown();
        done.get(10, TimeUnit.SECONDS);
        assertThat(completedOn).containsExactly(LogMessageStore.WRITER_THREAD);
        store.close();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals(LogMessageStore.WRITER_THREAD) && t.isAlive());
    }

    private static StoredMessage message(long id) {
        return new StoredMessage(id, ("m" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Holds the writer inside its fsync until {@link #release} opens; counts the fsyncs that ended. */
    private static final class HeldFsync implements LogWriter.SyncHook {
        final CountDownLatch inFsync = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong forcesDone = new AtomicLong();

        @Override
        public void beforeForce() {
            inFsync.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void afterForce() {
            forcesDone.incrementAndGet();
        }
    }
}
