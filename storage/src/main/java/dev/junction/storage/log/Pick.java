package dev.junction.storage.log;

/**
 * Where a reader finds a message's body: its payload while the writer still holds it, otherwise a location
 * taken under the lock, so that it cannot mix the old and new halves of a move by compaction.
 */
record Pick(Msg msg, byte[] payload, Segment segment, long offset, int length) {

    /** Lock held. */
    static Pick of(Msg m) {
        byte[] payload = m.payload;
        return payload != null ? new Pick(m, payload, null, 0, 0)
                : new Pick(m, null, m.segment, m.offset, m.payloadLength);
    }
}
