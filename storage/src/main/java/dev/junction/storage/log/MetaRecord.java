package dev.junction.storage.log;

/**
 * One live entry of a metadata table as the store keeps it: the payload of the put record that wrote it, and for
 * a table whose entries leave the heap ({@link MetaFormat#offHeap}: retained messages) that payload only until
 * the record is durable in the metadata log, then just where the record is. So many retained messages cost an
 * index entry each on the heap, not their bytes; {@link MetaTable#get} reads one back from the log.
 *
 * <p>The store's {@link MetaState} and the writer's mirror share these objects. The writer sets the place and
 * drops the payload, under the store's lock; callers read them under that lock.
 */
final class MetaRecord {

    /** The record payload, or null once it is durable at {@link #metaNumber}/{@link #offset}. */
    byte[] payload;
    /** Length of the record payload. */
    final int length;
    /** Length of the entry's data within the payload. */
    final int dataLength;
    /** The metadata log file holding the record, and where the record starts in it; -1 until placed. */
    long metaNumber = -1;
    long offset = -1;

    MetaRecord(byte[] payload, int dataLength) {
        this.payload = payload;
        this.length = payload.length;
        this.dataLength = dataLength;
    }

    /** The record is durable there: its payload can go. Store lock held (or recovery, before anyone reads). */
    void placed(long number, long recordOffset) {
        metaNumber = number;
        offset = recordOffset;
        payload = null;
    }
}
