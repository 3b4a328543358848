package dev.junction.storage.stream;

/**
 * One message of a stream as the log keeps it: its offset (0 for the first message ever appended, then one more
 * for each), the time the log took it (milliseconds since the epoch, never lower than the record before) and the
 * encoded message.
 */
public record StreamRecord(long offset, long timestamp, byte[] data) {
}
