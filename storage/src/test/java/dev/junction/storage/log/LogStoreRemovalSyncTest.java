package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A group of removals alone waits up to the group's {@code maxWait} for a write that needs an fsync, so a
 * publisher waiting on each confirm, whose consumer acks each message, costs one fsync per message, not two.
 */
class LogStoreRemovalSyncTest {

    private static final QueueKey Q = new QueueKey("/", "q");

    @TempDir
    Path dir;

    @Test
    void anAckSharesTheNextPublishsFsync() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofSeconds(5)))) {
            AtomicInteger forces = countForces(store);
            store.append(message(1), List.of(Q)).get(5, TimeUnit.SECONDS);
            assertThat(forces).hasValue(1);

            CompletableFuture<Void> ack = store.remove(Q, 1);
            Thread.sleep(100); // the writer has long taken the removal, alone
            assertThat(ack).isNotDone();
            assertThat(forces).hasValue(1);

            store.append(message(2), List.of(Q)).get(5, TimeUnit.SECONDS);
            assertThat(forces).hasValue(2); // one fsync covered the ack and the publish
            assertThat(ack).isCompleted();
            assertThat(store.count(Q)).isEqualTo(1);
        }
    }

    @Test
    void aLoneAckIsForcedOnceMaxWaitHasPassed() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofMillis(50)))) {
            AtomicInteger forces = countForces(store);
            store.append(message(1), List.of(Q)).get(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            store.remove(Q, 1).get(5, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
            assertThat(forces).hasValue(2); // still durable when its future completes
        }
    }

    @Test
    void anAckWithoutAGroupWaitIsForcedAtOnce() throws Exception {
        for (FsyncPolicy policy : List.of(FsyncPolicy.always(), FsyncPolicy.group(1000, Duration.ZERO))) {
            Path sub = dir.resolve(policy.mode() + "-" + policy.maxWait().toMillis());
            try (LogMessageStore store = LogMessageStore.open(sub, policy)) {
                AtomicInteger forces = countForces(store);
                store.append(message(1), List.of(Q)).get(5, TimeUnit.SECONDS);
                store.remove(Q, 1).get(5, TimeUnit.SECONDS);
                assertThat(forces).hasValue(2);
            }
        }
    }

    private static AtomicInteger countForces(LogMessageStore store) {
        AtomicInteger forces = new AtomicInteger();
        store.syncHook(new LogWriter.SyncHook() {
            @Override
            public void beforeForce() {
            }

            @Override
            public void afterForce() {
                forces.incrementAndGet();
            }
        });
        return forces;
    }

    private static StoredMessage message(long id) {
        return new StoredMessage(id, ("m" + id).getBytes(StandardCharsets.UTF_8));
    }
}
