package dev.junction.storage.log;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A write error (a full disk) is an incident the store comes back from: while it cannot write, nothing is
 * confirmed; once it can, it writes everything it held again and confirms new writes, without a restart, and a
 * reopen finds exactly what the index held. The fault is injected at the fsync, where a full disk or a failing
 * device shows up; the conformance tests fill a real (tmpfs) disk.
 */
class LogStoreWriteIncidentTest {

    private static final QueueKey Q = new QueueKey("/", "q");
    private static final long BOUND_S = 30;

    @TempDir
    Path dir;

    private volatile boolean diskFull;

    @Test
    void afterAFailedFsyncTheStoreRefusesWritesThenResumesOnItsOwnOnceWritesSucceed() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            store.syncHook(new LogWriter.SyncHook() {
                @Override
                public void beforeForce() throws IOException {
                    if (diskFull) {
                        throw new IOException("injected: No space left on device");
                    }
                }

                @Override
                public void afterForce() {
                }
            });
            store.append(msg(1), List.of(Q)).get(BOUND_S, TimeUnit.SECONDS);
            store.append(msg(2), List.of(Q)).get(BOUND_S, TimeUnit.SECONDS);
            assertThat(store.writable()).isTrue();

            diskFull = true;
            CompletableFuture<Void> during = store.append(msg(3), List.of(Q));
            assertThatThrownBy(() -> during.get(BOUND_S, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("No space left on device");
            assertThat(store.writable()).isFalse();
            // Acks and declarations are refused visibly too, not confirmed and then lost.
            assertThat(store.remove(Q, 1)).failsWithin(BOUND_S, TimeUnit.SECONDS);
            assertThat(store.definitions().put(new Definition(DefinitionKind.QUEUE, "/", "d", new byte[] {7})))
                    .failsWithin(BOUND_S, TimeUnit.SECONDS);
            // Reads keep working, the message written during the incident included.
            assertThat(store.read(Q, 0, 10)).extracting(StoredMessage::id).containsExactly(2L, 3L);

            diskFull = false;
            awaitWritable(store);
            // Confirmed again, with no restart (before: every later write failed until the broker restarted).
            store.append(msg(4), List.of(Q)).get(BOUND_S, TimeUnit.SECONDS);
            store.remove(Q, 2).get(BOUND_S, TimeUnit.SECONDS);
        }
        // What the index held during the incident was written once the store could write: the ack of 1 holds,
        // message 3 and the definition are there.
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            assertThat(store.read(Q, 0, 10)).extracting(StoredMessage::id).containsExactly(3L, 4L);
            assertThat(store.definitions().all()).extracting(Definition::name).contains("d");
        }
    }

    @Test
    void aStoreThatCannotWriteForManySegmentsWorthKeepsOneFileAndResumes() throws Exception {
        LogStoreSettings small = LogStoreSettings.defaults().withSegmentBytes(64 << 10);
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), small)) {
            store.syncHook(new LogWriter.SyncHook() {
                @Override
                public void beforeForce() throws IOException {
                    if (diskFull) {
                        throw new IOException("injected: No space left on device");
                    }
                }

                @Override
                public void afterForce() {
                }
            });
            store.append(msg(1), List.of(Q)).get(BOUND_S, TimeUnit.SECONDS);
            diskFull = true;
            CompletableFuture<?> last = null;
            for (int i = 2; i <= 200; i++) {
                last = store.append(new StoredMessage(i, new byte[1024]), List.of(Q));
            }
            assertThat(last).failsWithin(BOUND_S, TimeUnit.SECONDS);
            diskFull = false;
            awaitWritable(store);
            store.append(msg(201), List.of(Q)).get(BOUND_S, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), small)) {
            assertThat(store.count(Q)).isEqualTo(201);
            assertThat(store.read(Q, 0, 1000)).hasSize(201);
        }
    }

    private static void awaitWritable(LogMessageStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
        while (!store.writable()) {
            assertThat(System.nanoTime() < deadline).as("store writes again").isTrue();
            Thread.sleep(20);
        }
    }

    private static StoredMessage msg(long id) {
        return new StoredMessage(id, new byte[] {(byte) id, 1, 2, 3});
    }
}
