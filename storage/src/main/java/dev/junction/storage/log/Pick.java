package dev.junction.storage.log;

/**
 * Where a reader finds a message's body: its payload while the store still holds it in memory, otherwise a
 * location taken under the lock, so that it cannot mix the old and new halves of a move by compaction.
 */
record Pick(long id, byte[] payload, Segment segment, long offset, int length) {
}
