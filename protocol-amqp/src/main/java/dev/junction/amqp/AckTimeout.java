package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.Delivery;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The acknowledgement timeout of one channel [RabbitMQ "Consumer Acknowledgements", "Delivery Acknowledgement
 * Timeout"]: a delivery left unacknowledged longer than its queue's {@code x-consumer-timeout} (or policy
 * {@code consumer-timeout}), else the broker's {@code consumer_timeout}, closes the channel with 406 and RabbitMQ's
 * text; closing the channel requeues every delivery it held. One timer per channel, armed for the earliest
 * deadline it knows and only while deliveries are outstanding, so a delivery costs two longs and no timer of its
 * own; when it fires it walks the outstanding deliveries once. Event-loop only.
 */
final class AckTimeout {
    /** Whether a deadline has passed, and which timeout it was. */
    interface Deadlines {
        /** The timeout (ms) of the first delivery past its deadline at {@code now}, or 0 when none is. */
        long overdue(long now);

        /** The earliest deadline of the outstanding deliveries, or {@code Long.MAX_VALUE} when there are none. */
        long earliest();
    }

    private final AmqpChannel ch;
    private final long brokerTimeoutMs;
    private final Deadlines deadlines;
    private ScheduledFuture<?> check;
    private long checkAt = Long.MAX_VALUE;

    AckTimeout(AmqpChannel ch, long brokerTimeoutMs, Deadlines deadlines) {
        this.ch = ch;
        this.brokerTimeoutMs = brokerTimeoutMs;
        this.deadlines = deadlines;
    }

    /** The timeout that applies to {@code d}, in ms; 0 when none does. */
    long timeoutOf(Delivery d) {
        long queue = d.consumerTimeoutMillis();
        return queue > 0 ? queue : brokerTimeoutMs;
    }

    /** A delivery with {@code deadline} became outstanding: make sure a check runs by then. */
    void watch(long deadline) {
        if (deadline >= checkAt || deadline == Long.MAX_VALUE) {
            return;
        }
        stop();
        checkAt = deadline;
        long delay = Math.max(0, deadline - System.currentTimeMillis());
        check = ch.schedule(this::check, delay + 1, TimeUnit.MILLISECONDS);
    }

    private void check() {
        check = null;
        checkAt = Long.MAX_VALUE;
        if (ch.closing()) {
            return;
        }
        long timedOut = deadlines.overdue(System.currentTimeMillis());
        if (timedOut > 0) {
            // RabbitMQ's words, class and method 0: no client method caused it (rabbit_channel, consumer timeout).
            ch.fail(AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "delivery acknowledgement on channel "
                    + ch.number + " timed out. Timeout value used: " + timedOut + " ms. This timeout value can"
                    + " be configured, see consumers doc guide to learn more", 0, 0));
            return;
        }
        watch(deadlines.earliest());
    }

    /** The channel goes: no more checks. */
    void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        checkAt = Long.MAX_VALUE;
    }
}
