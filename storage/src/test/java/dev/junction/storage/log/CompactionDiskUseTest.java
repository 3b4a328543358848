package dev.junction.storage.log;

import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.junction.storage.log.LogFiles.bytes;
import static dev.junction.storage.log.LogFiles.bytesInFiles;
import static dev.junction.storage.log.LogFiles.segmentFiles;
import static dev.junction.storage.log.LogFiles.streamThrough;
import static dev.junction.storage.log.LogFiles.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segment compaction keeps disk use bounded: a message that is never consumed no longer pins every newer
 * segment, under group commit and without fsync.
 */
class CompactionDiskUseTest extends CompactionFixture {

    @Test
    void oneNeverConsumedMessageNoLongerPinsTheLog() throws Exception {
        diskUseStaysBounded(FsyncPolicy.group());
    }

    @Test
    void compactionUnderFsyncNeverBehavesTheSame() throws Exception {
        diskUseStaysBounded(FsyncPolicy.never());
    }

    private void diskUseStaysBounded(FsyncPolicy policy) throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, policy, small())) {
            store.append(new StoredMessage(1, bytes("pinned")), List.of(PINNED)).get(10, TimeUnit.SECONDS);
            // 40 000 messages of 500 bytes: about 20 MB through 64 KiB segments, 300 of them without compaction.
            LogFiles.DiskUse use = streamThrough(store, 2, 40_001, LAG, List.of(Q), FILLER);
            // Live data is the pinned message and 200 x 500 bytes; compaction starts at two segments of garbage.
            assertThat(use.maxSegments()).isLessThanOrEqualTo(8);
            assertThat(use.maxBytes()).isLessThan(8 * SEGMENT);
            assertThat(store.compactions()).isGreaterThan(10);
            assertThat(store.compactedBytes()).isPositive();
            assertThat(store.bytesOnDisk()).isEqualTo(bytesInFiles(dir));
            assertThat(segmentFiles(dir)).hasSize(store.segmentCount());
            assertThat(store.read(PINNED, 0, 10)).extracting(m -> text(m.data())).containsExactly("pinned");
            assertThat(store.count(Q)).isEqualTo(LAG);
            assertThat(store.messageCount()).isEqualTo(LAG + 1);
        }
        try (LogMessageStore store = LogMessageStore.open(dir, policy, small())) {
            assertThat(store.read(PINNED, 0, 10)).extracting(m -> text(m.data())).containsExactly("pinned");
            assertThat(store.read(Q, 0, 1000)).extracting(StoredMessage::id)
                    .containsExactlyElementsOf(range(40_001 - LAG + 1, 40_001));
            assertThat(store.messageCount()).isEqualTo(LAG + 1);
            assertThat(store.highestMessageId()).isEqualTo(40_001);
        }
    }
}
