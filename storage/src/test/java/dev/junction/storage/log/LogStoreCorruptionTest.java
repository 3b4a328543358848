package dev.junction.storage.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Torn and corrupt files: the store always opens, keeps what is intact and sets the bad bytes aside. */
class LogStoreCorruptionTest {

    private static final QueueKey Q = new QueueKey("/", "q");

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger scannerLog = (Logger) LoggerFactory.getLogger(LogScanner.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        scannerLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        scannerLog.detachAppender(logged);
    }

    @Test
    void lastSegmentTruncatedMidRecordOpensWithEarlierRecordsAndASideFile() throws Exception {
        Path segment = writeMessages(10);
        long size = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(size - 5); // cuts into message 10
        }

        try (LogMessageStore store = open()) {
            assertThat(ids(store)).containsExactlyElementsOf(range(1, 9));
            assertThat(store.highestMessageId()).isEqualTo(9);
        }
        assertThat(sideFiles(segment)).hasSize(1);
        assertThat(Files.size(sideFiles(segment).get(0))).isEqualTo(size - 5 - Files.size(segment));
        assertThat(warnings()).anyMatch(w -> w.contains(segment.getFileName().toString()) && w.contains("truncated"));
    }

    @Test
    void flippedByteInTheLastRecordIsQuarantinedAndEarlierDataKept() throws Exception {
        Path segment = writeMessages(10);
        flip(segment, Files.size(segment) - 2); // inside the body of message 10

        try (LogMessageStore store = open()) {
            assertThat(ids(store)).containsExactlyElementsOf(range(1, 9));
        }
        assertThat(sideFiles(segment)).hasSize(1);
        assertThat(warnings()).isNotEmpty();
    }

    @Test
    void garbageAfterAValidTailIsQuarantined() throws Exception {
        Path segment = writeMessages(10);
        long size = Files.size(segment);
        byte[] garbage = new byte[300];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(segment, garbage, StandardOpenOption.APPEND);

        try (LogMessageStore store = open()) {
            assertThat(ids(store)).containsExactlyElementsOf(range(1, 10));
            assertThat(text(store.read(Q, 9, 1).get(0))).isEqualTo("m10");
        }
        assertThat(Files.size(segment)).isEqualTo(size);
        assertThat(sideFiles(segment)).hasSize(1);
        assertThat(Files.readAllBytes(sideFiles(segment).get(0))).isEqualTo(garbage);
    }

    @Test
    void emptyAndHeaderOnlySegmentFilesAreFine() throws Exception {
        writeMessages(3);
        Path empty = dir.resolve(Segment.fileName(50));
        Files.createFile(empty);
        Path partialHeader = dir.resolve(Segment.fileName(51));
        Files.write(partialHeader, new byte[] {0x4A, 0x4E});

        try (LogMessageStore store = open()) {
            assertThat(ids(store)).containsExactly(1L, 2L, 3L);
            store.append(new StoredMessage(4, bytes("m4")), List.of(Q)).get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open()) {
            assertThat(ids(store)).containsExactly(1L, 2L, 3L, 4L);
        }
        assertThat(sideFiles(partialHeader)).hasSize(1);
        assertThat(sideFiles(empty)).isEmpty();
    }

    @Test
    void corruptionInTheMiddleOfAnOlderSegmentSkipsOnlyTheBadRecord() throws Exception {
        LogStoreSettings small = LogStoreSettings.defaults().withSegmentBytes(4096).withCacheBytes(0);
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), small)) {
            for (long id = 1; id <= 200; id++) {
                store.append(new StoredMessage(id, bytes("message-" + id + ".".repeat(100))), List.of(Q));
            }
            store.append(new StoredMessage(201, bytes("last")), List.of(Q)).get(10, TimeUnit.SECONDS);
            assertThat(store.segmentCount()).isGreaterThan(3);
        }
        Path first = segments().get(0);
        long offset = offsetOf(first, "message-5.");
        flip(first, offset);

        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), small)) {
            List<Long> expected = LongStream.rangeClosed(1, 201).filter(id -> id != 5).boxed().toList();
            assertThat(ids(store)).containsExactlyElementsOf(expected);
        }
        assertThat(sideFiles(first)).hasSize(1);
        int warned = warnings().size();

        // The bad bytes were covered by a padding record: the next open reads past them without complaint.
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), small)) {
            assertThat(store.count(Q)).isEqualTo(200);
        }
        assertThat(sideFiles(first)).hasSize(1);
        assertThat(warnings()).hasSize(warned);
    }

    @Test
    void tornTailOfTheMetadataLogKeepsEarlierDefinitions() throws Exception {
        try (LogMessageStore store = open()) {
            store.definitions().put(new Definition(DefinitionKind.QUEUE, "/", "a", bytes("qa")));
            store.definitions().put(new Definition(DefinitionKind.QUEUE, "/", "b", bytes("qb")))
                    .get(10, TimeUnit.SECONDS);
        }
        Path meta;
        try (Stream<Path> files = Files.list(dir)) {
            meta = files.filter(p -> p.getFileName().toString().matches("meta-\\d+\\.log")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(meta.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        try (LogMessageStore store = open()) {
            assertThat(store.definitions().all()).extracting(Definition::name).containsExactly("a");
            store.definitions().put(new Definition(DefinitionKind.QUEUE, "/", "c", bytes("qc")))
                    .get(10, TimeUnit.SECONDS);
        }
        try (LogMessageStore store = open()) {
            assertThat(store.definitions().all()).extracting(Definition::name).containsExactly("a", "c");
        }
        assertThat(sideFiles(meta)).hasSize(1);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private LogMessageStore open() {
        return LogMessageStore.open(dir, FsyncPolicy.group());
    }

    /** Writes messages 1..n to Q, closes the store and returns the segment that holds them. */
    private Path writeMessages(int n) throws Exception {
        try (LogMessageStore store = open()) {
            for (long id = 1; id < n; id++) {
                store.append(new StoredMessage(id, bytes("m" + id)), List.of(Q));
            }
            store.append(new StoredMessage(n, bytes("m" + n)), List.of(Q)).get(10, TimeUnit.SECONDS);
        }
        List<Path> segments = segments();
        return segments.get(segments.size() - 1);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private List<Path> sideFiles(Path file) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(file.getFileName() + ".corrupt-"))
                    .toList();
        }
    }

    private List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xFF);
        }
    }

    private static long offsetOf(Path file, String text) throws IOException {
        byte[] all = Files.readAllBytes(file);
        byte[] needle = bytes(text);
        outer:
        for (int i = 0; i <= all.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(text + " not found in " + file);
    }

    private static List<Long> ids(LogMessageStore store) {
        return store.read(Q, 0, 10_000).stream().map(StoredMessage::id).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredMessage m) {
        return new String(m.data(), StandardCharsets.UTF_8);
    }
}
