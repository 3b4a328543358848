package dev.junction.storage.stream;

/**
 * How a stream's log is cut and trimmed: {@code maxSegmentBytes}, the size at which the log starts a new segment
 * file (RabbitMQ's {@code x-stream-max-segment-size-bytes}); {@code maxBytes} and {@code maxAgeMillis}, the
 * retention (RabbitMQ's {@code x-max-length-bytes} and {@code x-max-age}; 0: no limit). Retention deletes whole
 * segments, oldest first, and never the segment being written.
 */
public record StreamLogSettings(long maxSegmentBytes, long maxBytes, long maxAgeMillis) {

    /** RabbitMQ's default segment size, 500 MB. */
    public static final long DEFAULT_SEGMENT_BYTES = 500_000_000L;

    public StreamLogSettings {
        if (maxSegmentBytes <= 0 || maxBytes < 0 || maxAgeMillis < 0) {
            throw new IllegalArgumentException("bad stream log settings: " + maxSegmentBytes + ", " + maxBytes
                    + ", " + maxAgeMillis);
        }
    }

    public static StreamLogSettings unlimited() {
        return new StreamLogSettings(DEFAULT_SEGMENT_BYTES, 0, 0);
    }
}
