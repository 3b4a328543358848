package dev.junction.storage.stream;

/**
 * A reader's place in a stream: the next offset it wants, and where the log found that offset last time (segment
 * and file position), so that reading on costs no index lookup. Owned by one reader thread at a time.
 */
public final class StreamCursor {
    private long offset;
    private StreamSegment segment;
    private long position = -1;

    public StreamCursor(long offset) {
        this.offset = offset;
    }

    /** The offset of the next record this cursor reads. */
    public long offset() {
        return offset;
    }

    /** Moves the cursor; the next read looks the offset up in the index. */
    public void seek(long newOffset) {
        offset = newOffset;
        segment = null;
        position = -1;
    }

    StreamSegment segment() {
        return segment;
    }

    long position() {
        return position;
    }

    void advance(long newOffset, StreamSegment at, long newPosition) {
        offset = newOffset;
        segment = at;
        position = newPosition;
    }
}
