package dev.junction.routing.queue;

import java.util.List;

/**
 * A consumer's credit limits ({@link Prefetch}es: its own and its channel's) as a queue type other than
 * {@link Queue} draws from them: all or nothing, parking the target to be kicked when credit comes back.
 */
public final class CreditLimits {
    private CreditLimits() {
    }

    /** Takes {@code size} from every limit, or from none and parks {@code waiter} on the one that refused. */
    public static boolean tryAcquire(List<Prefetch> limits, int size, QueueTarget waiter) {
        for (int i = 0; i < limits.size(); i++) {
            if (!limits.get(i).tryAcquireOrPark(size, waiter)) {
                for (int j = 0; j < i; j++) {
                    limits.get(j).release(size);
                }
                return false;
            }
        }
        return true;
    }

    public static void release(List<Prefetch> limits, int size) {
        for (int i = 0; i < limits.size(); i++) {
            limits.get(i).release(size);
        }
    }

    /**
     * Whether the consumer has a count limit of its own ({@code basic.qos} with global=false): a channel-wide
     * limit does not count, as in RabbitMQ 3.10, whose stream queues read the consumer's prefetch only.
     */
    public static boolean ownCountLimited(List<Prefetch> limits) {
        for (Prefetch p : limits) {
            if (!p.shared() && p.countLimit() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether some limit caps the count of unacknowledged deliveries (a {@code basic.qos} prefetch count). */
    public static boolean countLimited(List<Prefetch> limits) {
        for (Prefetch p : limits) {
            if (p.countLimit() > 0) {
                return true;
            }
        }
        return false;
    }
}
