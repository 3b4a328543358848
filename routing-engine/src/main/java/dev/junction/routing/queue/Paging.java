package dev.junction.routing.queue;

/**
 * How much of a durable queue's ready messages stay in the heap: at most {@code messages} messages and about
 * {@code bytes} bytes of bodies; persistent messages beyond that wait on disk only. {@code messages == 0} keeps
 * everything in memory.
 */
public record Paging(int messages, long bytes) {

    /** 2048 messages or 8 MiB, whichever is reached first. */
    public static final Paging DEFAULT = new Paging(2048, 8L * 1024 * 1024);
    public static final Paging OFF = new Paging(0, Long.MAX_VALUE);

    public Paging {
        if (messages < 0 || bytes < 1) {
            throw new IllegalArgumentException("paging window must be non-negative, bytes positive");
        }
    }

    public boolean enabled() {
        return messages > 0;
    }
}
