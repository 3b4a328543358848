package dev.junction.storage.log;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retained messages live in the metadata log, not on the heap: once a put is durable the store keeps only where
 * its record is, and reads it back on demand, across metadata compactions and reopens. (217k retained messages
 * of 1 KB once kept the memory alarm raised for good.)
 */
class LogRetainedStoreTest {

    private static final LogStoreSettings SMALL_META = LogStoreSettings.defaults().withMetaCompactBytes(4096);

    @TempDir
    Path dir;

    @Test
    void durableRetainedMessagesLeaveTheHeapAndAreReadBackAcrossCompactionsAndReopens() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), SMALL_META)) {
            RetainedStore retained = store.retained();
            CompletableFuture<Void> last = null;
            for (int round = 0; round < 20; round++) { // overwrites make the log mostly dead: it is compacted
                for (int i = 0; i < 50; i++) {
                    last = retained.put(new RetainedMessage("/", "t/" + i, data(i, round)));
                }
            }
            last.get(30, TimeUnit.SECONDS);
            retained.delete("/", "t/0").get(30, TimeUnit.SECONDS); // a later durable group places the last puts

            assertThat(store.retainedBytesOnHeap()).as("retained bytes left on the heap").isZero();
            assertThat(retained.index()).hasSize(49).allSatisfy(e -> assertThat(e.size()).isEqualTo(1024));
            for (int i = 1; i < 50; i++) {
                assertThat(retained.get("/", "t/" + i).orElseThrow().data()).isEqualTo(data(i, 19));
            }
            assertThat(retained.get("/", "t/0")).isEmpty();
        }
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), SMALL_META)) {
            assertThat(store.retainedBytesOnHeap()).isZero();
            assertThat(store.retained().get("/", "t/7").orElseThrow().data()).isEqualTo(data(7, 19));
            assertThat(store.retained().all()).hasSize(49);
            store.retained().put(new RetainedMessage("/", "t/7", data(7, 20))).get(30, TimeUnit.SECONDS);
            assertThat(store.retained().get("/", "t/7").orElseThrow().data()).isEqualTo(data(7, 20));
        }
    }

    private static byte[] data(int topic, int round) {
        byte[] b = new byte[1024];
        byte[] tag = (topic + ":" + round).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, b, 0, tag.length);
        return b;
    }
}
