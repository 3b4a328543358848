package dev.junction.routing.queue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a queue counts for the management API's {@code message_stats} and for lag metrics: messages in, deliveries
 * and gets (with and without acknowledgement), redeliveries and acknowledgements since the queue was created, the
 * arrival time of its oldest ready message ({@link ArrivalClock}) and how much of the time its consumers could take
 * a message at once ({@link ConsumerUtilisation}).
 *
 * <p>The counts are written by the queue's thread only, as plain increments made visible with opaque stores (no
 * fence on the hot path), and read by any thread: a reader may see a count a few increments late, never a torn
 * one. The counter array, the arrival clock and the utilisation are made when first needed (an event, a message,
 * a consumer), so an idle queue costs this object alone, some 32 bytes. Turning counts into rates is the reader's
 * business (the broker samples every few seconds).
 */
public final class QueueStats {
    /** RabbitMQ's queue {@code message_stats} counters, in its names. */
    public enum Count {
        /** Messages routed into the queue (RabbitMQ: {@code publish}). */
        PUBLISH("publish"),
        /** Deliveries to consumers that acknowledge. */
        DELIVER("deliver"),
        /** Deliveries to consumers that do not acknowledge. */
        DELIVER_NO_ACK("deliver_no_ack"),
        /** basic.get with acknowledgement. */
        GET("get"),
        /** basic.get without acknowledgement. */
        GET_NO_ACK("get_no_ack"),
        /** Deliveries and gets of a message delivered before (the redelivered flag). */
        REDELIVER("redeliver"),
        /** Acknowledgements. */
        ACK("ack");

        private final String field;

        Count(String field) {
            this.field = field;
        }

        /** The field name in RabbitMQ's {@code message_stats}. */
        public String field() {
            return field;
        }
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int COUNTS = Count.values().length;

    private long[] counts;
    private ArrivalClock arrivals;
    /** Made by the queue's thread when the first consumer comes; read by the sampler. */
    private volatile ConsumerUtilisation utilisation;
    /** The oldest ready message's arrival (epoch ms), 0 for none: written by the queue's thread after each change. */
    private volatile long oldestReadyAt;

    /** The count of {@code c} so far; any thread. */
    public long count(Count c) {
        long[] a = counts;
        return a == null ? 0 : (long) SLOT.getOpaque(a, c.ordinal());
    }

    /** Every count, indexed by {@link Count#ordinal()}; any thread. */
    public long[] counts() {
        long[] out = new long[COUNTS];
        long[] a = counts;
        if (a != null) {
            for (int i = 0; i < COUNTS; i++) {
                out[i] = (long) SLOT.getOpaque(a, i);
            }
        }
        return out;
    }

    /** Age of the oldest ready message in seconds at {@code nowMillis}, or 0 when nothing is ready; any thread. */
    public double oldestReadyAgeSeconds(long nowMillis) {
        long at = oldestReadyAt;
        return at == 0 ? 0 : Math.max(0, nowMillis - at) / 1000.0;
    }

    /** When the oldest ready message arrived (epoch ms), or 0 when nothing is ready; any thread. */
    public long oldestReadyAt() {
        return oldestReadyAt;
    }

    /**
     * RabbitMQ's {@code consumer_utilisation} over the last sampling window ({@link #sample}): the fraction of the
     * time with consumers during which they could take a message at once; NaN when the queue had no consumer.
     */
    public double consumerUtilisation() {
        ConsumerUtilisation u = utilisation;
        return u == null ? Double.NaN : u.lastWindow();
    }

    /** Closes a sampling window for {@link #consumerUtilisation()}; one sampler thread calls it periodically. */
    public void sample(long nowNanos) {
        ConsumerUtilisation u = utilisation;
        if (u != null) {
            u.sample(nowNanos);
        }
    }

    // ---- the queue's thread ---------------------------------------------------------------------------------------

    void add(Count c, long n) {
        long[] a = counts;
        if (a == null) {
            a = new long[COUNTS];
            counts = a;
        }
        int i = c.ordinal();
        SLOT.setOpaque(a, i, (long) SLOT.getOpaque(a, i) + n);
    }

    /** A message entered the ready messages: a publish unless it is {@code restored} from the store at start. */
    void arrived(boolean restored, long nowMillis) {
        if (!restored) {
            add(Count.PUBLISH, 1);
        }
        if (arrivals == null) {
            arrivals = new ArrivalClock();
        }
        arrivals.arrived(nowMillis);
    }

    /** A message was handed to a consumer ({@code toConsumer}) or to a get. */
    void handed(boolean toConsumer, boolean autoAck, boolean redelivered) {
        if (toConsumer) {
            add(autoAck ? Count.DELIVER_NO_ACK : Count.DELIVER, 1);
        } else {
            add(autoAck ? Count.GET_NO_ACK : Count.GET, 1);
        }
        if (redelivered) {
            add(Count.REDELIVER, 1);
        }
    }

    void acked(int n) {
        if (n > 0) {
            add(Count.ACK, n);
        }
    }

    /**
     * After every change of the queue: {@code ready} messages wait and {@code consumers} are attached. Consumers
     * with messages left waiting could not take them (credit, prefetch, a full socket): that is time they were not
     * "utilised" in RabbitMQ's sense.
     */
    void changed(int ready, int consumers) {
        if (arrivals == null && ready > 0) {
            arrivals = new ArrivalClock(); // messages read back from the store at start, before any arrival
        }
        long at = arrivals == null ? 0 : arrivals.oldest(ready);
        if (at != oldestReadyAt) { // written only when it moves: most changes leave the head where it was
            oldestReadyAt = at;
        }
        ConsumerUtilisation u = utilisation;
        if (u == null && consumers > 0) {
            u = new ConsumerUtilisation();
            utilisation = u;
        }
        if (u != null) {
            u.state(consumers > 0, ready > 0);
        }
    }
}
