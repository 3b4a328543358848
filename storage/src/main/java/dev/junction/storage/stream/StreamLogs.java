package dev.junction.storage.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where a store keeps its streams: one directory per stream under {@code dir}, named by the hex of its vhost and
 * name (any characters are allowed in both), and one writer thread, {@value #WRITER_THREAD}, that every stream's
 * group commits run on, so the number of streams costs no threads.
 */
public final class StreamLogs implements AutoCloseable {
    public static final String WRITER_THREAD = "junction-stream-writer";

    private final Path dir;
    private final ExecutorService writer;
    private final Map<Path, SegmentedStreamLog> open = new ConcurrentHashMap<>();

    public StreamLogs(Path dir) {
        this.dir = dir;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, WRITER_THREAD);
            t.setDaemon(true);
            return t;
        });
    }

    private Path dirOf(String vhost, String name) {
        HexFormat hex = HexFormat.of();
        return dir.resolve(hex.formatHex(vhost.getBytes(StandardCharsets.UTF_8)) + "."
                + hex.formatHex(name.getBytes(StandardCharsets.UTF_8)));
    }

    /** Opens the stream's log (creating it when new), recovering what a previous run wrote. */
    public StreamLog open(String vhost, String name, StreamLogSettings settings) {
        Path d = dirOf(vhost, name);
        try {
            SegmentedStreamLog log = SegmentedStreamLog.open(d, settings, writer);
            SegmentedStreamLog before = open.put(d, log);
            if (before != null) {
                before.close();
            }
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open stream '" + name + "' in vhost '" + vhost + "'", e);
        }
    }

    /** Closes and deletes the stream's files (the stream was deleted). */
    public void delete(String vhost, String name) {
        Path d = dirOf(vhost, name);
        SegmentedStreamLog log = open.remove(d);
        try {
            if (log != null) {
                log.delete();
            } else {
                SegmentedStreamLog.open(d, StreamLogSettings.unlimited(), writer).delete();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete stream '" + name + "' in vhost '" + vhost + "'", e);
        }
    }

    /** Flushes and closes every open stream and stops the writer. */
    @Override
    public void close() {
        open.values().forEach(SegmentedStreamLog::close);
        open.clear();
        writer.shutdown();
    }
}
