package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.junction.storage.log.LogFiles.await;
import static dev.junction.storage.log.LogFiles.bytes;
import static dev.junction.storage.log.LogFiles.bytesInFiles;
import static dev.junction.storage.log.LogFiles.segmentFiles;
import static dev.junction.storage.log.LogFiles.settle;
import static dev.junction.storage.log.LogFiles.streamThrough;
import static dev.junction.storage.log.LogFiles.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Space reclamation, large records, reads from disk and other log-specific behaviour. */
class LogStoreReclamationTest {

    private static final QueueKey Q = new QueueKey("/", "q");
    private static final QueueKey OTHER = new QueueKey("/", "other");
    private static final long SEGMENT = 64 << 10;

    @TempDir
    Path dir;

    private LogMessageStore open(LogStoreSettings settings) {
        return LogMessageStore.open(dir, FsyncPolicy.group(), settings);
    }

    private static LogStoreSettings small() {
        return LogStoreSettings.defaults().withSegmentBytes(SEGMENT).withCacheBytes(0);
    }

    @Test
    void steadyPublishAndConsumeKeepsDiskUseBounded() throws Exception {
        byte[] body = new byte[500];
        Arrays.fill(body, (byte) 'b');
        try (LogMessageStore store = open(small())) {
            int lag = 200; // the consumer trails the publisher by this many messages
            LogFiles.DiskUse use = streamThrough(store, 1, 20_000, lag, List.of(Q, OTHER), body);
            // 20 000 messages of 500 bytes wrote about 10 MB; what stays is the backlog plus a segment or two.
            assertThat(use.maxSegments()).isLessThanOrEqualTo(4);
            assertThat(use.maxBytes()).isLessThan(4 * SEGMENT);
            assertThat(store.bytesOnDisk()).isEqualTo(bytesInFiles(dir));
            assertThat(segmentFiles(dir)).hasSize(store.segmentCount());
            assertThat(store.count(Q)).isEqualTo(lag);
            assertThat(store.messageCount()).isEqualTo(lag);
        }
        try (LogMessageStore store = open(small())) {
            assertThat(store.count(Q)).isEqualTo(200);
            assertThat(store.read(Q, 0, 1).get(0).id()).isEqualTo(19_801);
            assertThat(store.highestMessageId()).isEqualTo(20_000);
        }
    }

    @Test
    void everythingRemovedLeavesOnlyTheActiveSegmentAndTheHighestIdSurvives() throws Exception {
        byte[] body = new byte[1000];
        try (LogMessageStore store = open(small())) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (long id = 1; id <= 1000; id++) {
                pending.add(store.append(new StoredMessage(id, body), List.of(Q)));
            }
            await(pending);
            assertThat(store.segmentCount()).isGreaterThan(10);
            store.removeQueue(Q).get(10, TimeUnit.SECONDS);
            store.append(new StoredMessage(1001, body), List.of()).get(10, TimeUnit.SECONDS);
            settle(store);
            assertThat(store.segmentCount()).isEqualTo(1);
        }
        assertThat(segmentFiles(dir)).hasSize(1);
        try (LogMessageStore store = open(small())) {
            assertThat(store.queues()).isEmpty();
            assertThat(store.highestMessageId()).isEqualTo(1001);
        }
        assertThat(segmentFiles(dir)).hasSize(1); // the previous run's segment is gone once the new one exists
    }

    @Test
    void aRemovalIsNotLostWhenTheSegmentHoldingItIsDeleted() throws Exception {
        // Message 1 stays in the first segment; its partner's ack lands in a later segment that then dies.
        byte[] body = new byte[1000];
        try (LogMessageStore store = open(small())) {
            store.append(new StoredMessage(1, body), List.of(Q, OTHER));
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (long id = 2; id <= 200; id++) {
                pending.add(store.append(new StoredMessage(id, body), List.of(OTHER)));
            }
            pending.add(store.remove(OTHER, 1));
            for (long id = 2; id <= 200; id++) {
                pending.add(store.remove(OTHER, id));
            }
            await(pending);
        }
        try (LogMessageStore store = open(small())) {
            assertThat(store.queues()).containsExactly(Q);
            assertThat(store.count(OTHER)).isZero();
            assertThat(store.read(Q, 0, 10)).extracting(StoredMessage::id).containsExactly(1L);
        }
    }

    @Test
    void bodiesAreReadBackFromDiskWhenNotCached() throws Exception {
        try (LogMessageStore store = open(small())) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (long id = 1; id <= 300; id++) {
                pending.add(store.append(new StoredMessage(id, bytes("body-" + id)), List.of(Q)));
            }
            await(pending);
            List<StoredMessage> page = store.read(Q, 100, 3);
            assertThat(page).extracting(m -> text(m.data())).containsExactly("body-101", "body-102", "body-103");
        }
    }

    @Test
    void aRecordLargerThanASegmentAndTheWriteBufferIsStoredWhole() throws Exception {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (LogMessageStore store = open(small())) {
            store.append(new StoredMessage(1, bytes("small")), List.of(Q));
            store.append(new StoredMessage(2, big), List.of(Q)).get(10, TimeUnit.SECONDS);
            store.append(new StoredMessage(3, bytes("after")), List.of(Q)).get(10, TimeUnit.SECONDS);
            assertThat(store.read(Q, 1, 1).get(0).data()).isEqualTo(big);
        }
        try (LogMessageStore store = open(small())) {
            List<StoredMessage> all = store.read(Q, 0, 10);
            assertThat(all).extracting(StoredMessage::id).containsExactly(1L, 2L, 3L);
            assertThat(all.get(1).data()).isEqualTo(big);
            assertThat(text(all.get(2).data())).isEqualTo("after");
        }
    }

    @Test
    void metadataLogIsCompactedWhenMostlyDead() throws Exception {
        LogStoreSettings settings = small().withMetaCompactBytes(8192);
        try (LogMessageStore store = open(settings)) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                pending.add(store.retained().put(new RetainedMessage("/", "t/" + (i % 5), bytes("v" + i))));
            }
            await(pending);
            settle(store);
            // One group can take the log past the threshold; the compaction after it brings it back down.
            assertThat(metaBytes()).isLessThan(8192);
        }
        try (LogMessageStore store = open(settings)) {
            assertThat(store.retained().all()).extracting(m -> m.topic() + "=" + text(m.data()))
                    .containsExactlyInAnyOrder("t/0=v1995", "t/1=v1996", "t/2=v1997", "t/3=v1998", "t/4=v1999");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("meta-"))).hasSize(1);
        }
    }

    @Test
    void anIdIsRejectedWhileStoredAndAcceptedAgainOnceGone() throws Exception {
        try (LogMessageStore store = open(small())) {
            store.append(new StoredMessage(1, bytes("a")), List.of(Q)).get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> store.append(new StoredMessage(1, bytes("b")), List.of(OTHER)))
                    .isInstanceOf(IllegalArgumentException.class);
            store.remove(Q, 1).get(10, TimeUnit.SECONDS);
            store.append(new StoredMessage(1, bytes("c")), List.of(OTHER)).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open(small())) {
            assertThat(store.queues()).containsExactly(OTHER);
            assertThat(text(store.read(OTHER, 0, 1).get(0).data())).isEqualTo("c");
        }
    }

    @Test
    void aQueueDeletedAndRecreatedKeepsOnlyItsNewMessages() throws Exception {
        try (LogMessageStore store = open(small())) {
            store.append(new StoredMessage(1, bytes("old")), List.of(Q));
            store.removeQueue(Q);
            store.append(new StoredMessage(2, bytes("new")), List.of(Q)).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open(small())) {
            assertThat(store.read(Q, 0, 10)).extracting(m -> text(m.data())).containsExactly("new");
            assertThat(store.messageCount()).isEqualTo(1);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        try (LogMessageStore store = open(small())) {
            assertThatThrownBy(() -> open(small())).isInstanceOf(IllegalStateException.class);
            assertThat(store.lastRecoveryMillis()).isNotNegative();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private long metaBytes() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("meta-")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
