package dev.junction.storage.log.bench;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * RocksDB as the message store would use it: one key per message (big-endian id) whose value is the queue list
 * and the body, written with a synced WAL; an ack deletes the key, also synced. Concurrent synced writers are
 * group-committed by RocksDB's write path. Compiled only in the storage-bench profile.
 */
final class RocksDbEngine implements BenchEngine {

    private static final byte[] QUEUE = "/\0orders".getBytes(StandardCharsets.UTF_8);

    private final Options options;
    private final WriteOptions sync;
    private final RocksDB db;

    RocksDbEngine(Path dir) throws Exception {
        RocksDB.loadLibrary();
        options = new Options().setCreateIfMissing(true);
        sync = new WriteOptions().setSync(true);
        db = RocksDB.open(options, dir.toString());
    }

    @Override
    public String name() {
        return "rocksdb " + RocksDB.rocksdbVersion() + " (sync WAL)";
    }

    private static byte[] key(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    @Override
    public void append(long id, byte[] body) throws Exception {
        byte[] value = ByteBuffer.allocate(4 + QUEUE.length + body.length)
                .putInt(QUEUE.length).put(QUEUE).put(body).array();
        db.put(sync, key(id), value);
    }

    @Override
    public void remove(long id) throws Exception {
        db.delete(sync, key(id));
    }

    @Override
    public void close() {
        db.close();
        sync.close();
        options.close();
    }
}
