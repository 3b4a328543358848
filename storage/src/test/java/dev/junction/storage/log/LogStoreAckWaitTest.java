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
 * A group whose appends wait for an fsync may wait up to {@code maxWait} for their acks while consumers are acking
 * ({@link AckWait}): an append whose message every queue acknowledged before an fsync covered it completes then,
 * without one, as RabbitMQ confirms a persistent message "when it is persisted to disk, or when it is consumed on
 * every queue" ({@link dev.junction.storage.MessageStore}'s contract).
 */
class LogStoreAckWaitTest {

    private static final QueueKey Q = new QueueKey("/", "q");

    @TempDir
    Path dir;

    @Test
    void anAppendAckedWhileItsGroupWaitsCompletesWithoutAnFsync() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofSeconds(1)))) {
            AtomicInteger forces = countForces(store);
            store.append(message(1), List.of(Q)).get(5, TimeUnit.SECONDS);
            assertThat(forces).hasValue(1); // no consumer has acked yet: nothing waited
            store.remove(Q, 1); // a consumer acks

            CompletableFuture<Void> second = store.append(message(2), List.of(Q));
            Thread.sleep(100); // the writer has long written it, and holds its fsync for the ack
            assertThat(second).isNotDone();
            assertThat(forces).hasValue(1);

            store.remove(Q, 2); // acked before any fsync covered it: nothing is owed to anyone any more
            assertThat(second).isCompleted();
            assertThat(forces).hasValue(1);

            CompletableFuture<Void> third = store.append(message(3), List.of(Q)); // never acked
            third.get(30, TimeUnit.SECONDS);
            assertThat(forces).hasValue(2); // one fsync, at maxWait, for both acks and both unacked writes
            assertThat(store.count(Q)).isEqualTo(1);
        }
        // What the publisher of the third message was promised survives; the acked ones do not come back.
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofSeconds(1)))) {
            assertThat(store.read(Q, 0, 10)).extracting(StoredMessage::id).containsExactly(3L);
        }
    }

    @Test
    void aPublisherWhoseMessagesNoOneAcksNeverWaits() throws Exception {
        // maxWait of an hour: a write that waited for an ack would hang the test
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofHours(1)))) {
            AtomicInteger forces = countForces(store);
            for (long id = 1; id <= 3; id++) {
                store.append(message(id), List.of(Q)).get(30, TimeUnit.SECONDS);
                assertThat(forces).hasValue((int) id);
            }
        }
    }

    @Test
    void aMetadataChangeIsForcedAtOnceEvenWhileConsumersAck() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(1000, Duration.ofHours(1)))) {
            AtomicInteger forces = countForces(store);
            store.append(message(1), List.of(Q)).get(30, TimeUnit.SECONDS);
            store.remove(Q, 1);
            // an append routed to no queue (an id mark) is one of the writes that are neither an append to a queue
            // nor a removal, as declarations and transactions are: forced at once
            store.append(message(2), List.of()).get(30, TimeUnit.SECONDS);
            assertThat(forces).hasValue(2);
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
