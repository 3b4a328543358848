package dev.junction.storage.log.bench;

/** One storage engine under measurement: every call returns once the change is durable. */
interface BenchEngine extends AutoCloseable {

    String name();

    void append(long id, byte[] body) throws Exception;

    void remove(long id) throws Exception;

    /** Fsyncs done so far, or -1 when the engine does not tell. */
    default long fsyncs() {
        return -1;
    }

    /** Mean fsync time in microseconds, or -1 when the engine does not tell. */
    default long meanFsyncMicros() {
        return -1;
    }

    @Override
    void close();
}
