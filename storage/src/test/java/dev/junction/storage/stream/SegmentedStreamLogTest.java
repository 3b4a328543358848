package dev.junction.storage.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract for the on-disk log, and what only files can show: a torn tail is cut at open. */
class SegmentedStreamLogTest extends StreamLogContract {
    @TempDir
    Path dir;
    private static final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stopWriter() {
        writer.shutdown();
    }

    @Override
    protected StreamLog open(String name, StreamLogSettings settings) {
        try {
            return SegmentedStreamLog.open(dir.resolve(name), settings, writer);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aTornTailIsCutAtOpenAndTheRestIsKept() throws Exception {
        StreamLogSettings s = StreamLogSettings.unlimited();
        StreamLog log = log("torn", s);
        appendAll(log, 10, 100, 1);
        log.close();
        Path seg;
        try (Stream<Path> files = Files.list(dir.resolve("torn"))) {
            seg = files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 30); // the last record loses its end, as in a crash mid-write
        }
        StreamLog again = log("torn", s);
        assertThat(again.end()).isEqualTo(9);
        assertThat(again.append(bytes("next"), 2).join()).isEqualTo(9);
        assertThat(again.read(new StreamCursor(9), 5, 1 << 20)).extracting(StreamLogContract::text)
                .containsExactly("next");
    }
}
