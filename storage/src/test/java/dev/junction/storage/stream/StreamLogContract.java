package dev.junction.storage.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link StreamLog}'s javadoc, for any implementation: offsets, timestamps, visibility after the
 * append's future, reading across segments, reopening, and retention by whole segments.
 */
public abstract class StreamLogContract {
    private final List<StreamLog> opened = new ArrayList<>();

    /** A log that survives {@link #reopen} under the same name, with {@code settings}. */
    protected abstract StreamLog open(String name, StreamLogSettings settings);

    /** Closes the log and opens it again from what is on disk. */
    protected StreamLog reopen(StreamLog log, String name, StreamLogSettings settings) {
        log.close();
        return track(open(name, settings));
    }

    private StreamLog track(StreamLog log) {
        opened.add(log);
        return log;
    }

    protected StreamLog log(String name, StreamLogSettings settings) {
        return track(open(name, settings));
    }

    @AfterEach
    void closeAll() {
        opened.forEach(StreamLog::close);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(StreamRecord r) {
        return new String(r.data(), StandardCharsets.UTF_8);
    }

    static long appendAll(StreamLog log, int n, int size, long timestamp) {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(log.append(new byte[size], timestamp));
        }
        return all.get(all.size() - 1).join();
    }

    @Test
    void offsetsStartAtZeroAndCountUpAndTheFutureMeansReadable() {
        StreamLog log = log("offsets", StreamLogSettings.unlimited());
        assertThat(log.first()).isZero();
        assertThat(log.end()).isZero();
        long a = log.append(bytes("a"), 1000).join();
        assertThat(log.end()).as("visible once the future completed").isEqualTo(1);
        long b = log.append(bytes("b"), 1000).join();
        assertThat(List.of(a, b)).containsExactly(0L, 1L);
        List<StreamRecord> got = log.read(new StreamCursor(0), 10, 1 << 20);
        assertThat(got).extracting(StreamLogContract::text).containsExactly("a", "b");
        assertThat(got).extracting(StreamRecord::offset).containsExactly(0L, 1L);
    }

    @Test
    void timestampsNeverGoDownAndOffsetAtFindsTheFirstAtOrAfter() {
        StreamLog log = log("time", StreamLogSettings.unlimited());
        log.append(bytes("t100"), 100).join();
        log.append(bytes("t50"), 50).join(); // stamped 100: never lower than the record before
        log.append(bytes("t200"), 200).join();
        List<StreamRecord> got = log.read(new StreamCursor(0), 10, 1 << 20);
        assertThat(got).extracting(StreamRecord::timestamp).containsExactly(100L, 100L, 200L);
        assertThat(log.offsetAt(0)).isZero();
        assertThat(log.offsetAt(101)).isEqualTo(2);
        assertThat(log.offsetAt(201)).isEqualTo(log.end());
    }

    @Test
    void readsAcrossSegmentsInBatchesAndTheCursorMovesOn() {
        StreamLog log = log("segments", new StreamLogSettings(1000, 0, 0));
        appendAll(log, 100, 100, 1);
        assertThat(log.segmentCount()).isGreaterThan(5);
        StreamCursor c = new StreamCursor(0);
        List<Long> offsets = new ArrayList<>();
        for (List<StreamRecord> batch; !(batch = log.read(c, 7, 1 << 20)).isEmpty(); ) {
            batch.forEach(r -> offsets.add(r.offset()));
        }
        assertThat(offsets).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(offsets.get(i)).isEqualTo(i);
        }
        assertThat(c.offset()).isEqualTo(100);
        c.seek(57);
        assertThat(log.read(c, 1, 1 << 20).get(0).offset()).isEqualTo(57);
    }

    @Test
    void aReopenedLogKeepsItsRecordsAndGoesOnCounting() {
        StreamLogSettings s = new StreamLogSettings(2000, 0, 0);
        StreamLog log = log("reopen", s);
        appendAll(log, 50, 100, 5);
        log = reopen(log, "reopen", s);
        assertThat(log.end()).isEqualTo(50);
        assertThat(log.append(bytes("after"), 6).join()).isEqualTo(50);
        assertThat(log.read(new StreamCursor(50), 1, 1 << 20)).extracting(StreamLogContract::text)
                .containsExactly("after");
        assertThat(log.offsetAt(6)).isEqualTo(50);
    }

    @Test
    void retentionBySizeDeletesWholeOldSegmentsAndMovesFirst() {
        StreamLog log = log("bytes", new StreamLogSettings(1000, 3000, 0));
        appendAll(log, 200, 100, 1);
        assertThat(log.first()).as("old segments deleted").isGreaterThan(0);
        assertThat(log.bytes()).isLessThanOrEqualTo(3000 + 1000);
        assertThat(log.end()).isEqualTo(200);
        StreamCursor c = new StreamCursor(0);
        List<StreamRecord> got = log.read(c, 1, 1 << 20);
        assertThat(got.get(0).offset()).as("a cursor before first starts at first").isEqualTo(log.first());
    }

    @Test
    void retentionByAgeDeletesSegmentsWhoseNewestRecordIsTooOld() {
        StreamLog log = log("age", new StreamLogSettings(1000, 0, 60_000));
        long now = System.currentTimeMillis();
        appendAll(log, 30, 100, now - 3_600_000);
        appendAll(log, 30, 100, now);
        assertThat(log.first()).as("the hour-old segments are gone").isGreaterThanOrEqualTo(20);
        assertThat(log.offsetAt(0)).isEqualTo(log.first());
    }

    @Test
    void offsetsAreNeverReusedAfterRetentionAndReopen() {
        StreamLogSettings s = new StreamLogSettings(500, 1000, 0);
        StreamLog log = log("reuse", s);
        long last = appendAll(log, 100, 50, 1);
        log = reopen(log, "reuse", s);
        assertThat(log.append(bytes("x"), 1).join()).isEqualTo(last + 1);
    }

    @Test
    void newSettingsTrimAtOnceAndANewSegmentSizeAppliesFromTheNextSegment() {
        StreamLog log = log("settings", new StreamLogSettings(1000, 0, 0));
        appendAll(log, 200, 100, 1);
        assertThat(log.first()).as("no retention yet").isZero();
        log.retention(new StreamLogSettings(100_000, 3000, 0)).join();
        long first = log.first();
        assertThat(first).as("trimmed without a new segment").isGreaterThan(0);
        assertThat(log.bytes()).isLessThanOrEqualTo(3000 + 1000);
        int segments = log.segmentCount();
        appendAll(log, 50, 100, 1);
        assertThat(log.segmentCount()).as("the bigger segments hold what the small ones could not")
                .isLessThanOrEqualTo(segments + 1);
        log.retention(new StreamLogSettings(100_000, 0, 0)).join();
        assertThat(log.first()).as("lifting the limit brings nothing back").isEqualTo(first);
    }
}
