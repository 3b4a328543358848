package dev.junction.config;

/**
 * {@code limits.disk_free_limit}: the free space the store's file system must keep; below it publishers are
 * blocked (RabbitMQ's disk alarm). Either absolute bytes, or {@code memRelative} times the machine's RAM, as
 * RabbitMQ's {@code disk_free_limit.relative}. Exactly one of the two is set ({@code absoluteBytes} is -1 when the
 * limit is relative).
 */
public record DiskFreeLimit(long absoluteBytes, double memRelative) {

    /** RabbitMQ's default: 50 MB. */
    public static final DiskFreeLimit DEFAULT = absolute(50_000_000L);

    public static DiskFreeLimit absolute(long bytes) {
        return new DiskFreeLimit(bytes, 0);
    }

    public static DiskFreeLimit relative(double ofRam) {
        return new DiskFreeLimit(-1, ofRam);
    }

    /** The limit in bytes on a machine with {@code ramBytes} of memory. */
    public long bytes(long ramBytes) {
        return absoluteBytes >= 0 ? absoluteBytes : (long) (memRelative * ramBytes);
    }

    @Override
    public String toString() {
        return absoluteBytes >= 0 ? absoluteBytes + " bytes" : memRelative + " x RAM";
    }
}
