package dev.junction.storage.log;

/**
 * One stored message body in the index. {@link #refs} is guarded by the store's lock. The location is set by
 * the writer once the record is written and published through the volatile {@link #segment}; readers use it
 * only once {@link #payload} is null. When compaction moves the record to another segment, the writer changes
 * segment, offset and length together under the store's lock, so readers take a consistent copy under it.
 */
final class Msg {

    final long id;
    /** Length of the MESSAGE record's payload (id, queue ids, body) at its current location. */
    int payloadLength;
    /** The MESSAGE payload while it waits to be written or sits in the cache; null once evicted. */
    volatile byte[] payload;
    /** Where the record is; null until written. */
    volatile Segment segment;
    /** File offset of the record header in {@link #segment}; written before {@link #segment}. */
    long offset;
    /** How many queues reference the message. */
    int refs;

    Msg(long id, byte[] payload) {
        this.id = id;
        this.payload = payload;
        this.payloadLength = payload.length;
    }

    /** A message found on disk during recovery. */
    Msg(long id, int payloadLength, Segment segment, long offset) {
        this.id = id;
        this.payloadLength = payloadLength;
        this.offset = offset;
        this.segment = segment;
    }
}
