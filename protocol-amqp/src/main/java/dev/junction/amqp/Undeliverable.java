package dev.junction.amqp;

import dev.junction.routing.Message;
import dev.junction.routing.queue.Delivery;
import dev.junction.routing.queue.Settlement;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries AMQP 0-9-1 cannot carry: in practice a message published over MQTT whose topic, and so routing key,
 * is over the 255-octet shortstr limit of basic.deliver / basic.get-ok (AMQP 0-9-1 section 4.2.5.3). The message
 * is settled with {@link Settlement#DISCARD} (dead-lettered when the queue has a dead-letter exchange, else
 * dropped), counted in {@code junction.amqp.undeliverable}, and logged in at most one line every
 * {@link #LOG_INTERVAL_NANOS}; the lines skipped in between are counted in the next one.
 */
final class Undeliverable {
    private static final Logger LOG = LoggerFactory.getLogger(Undeliverable.class);
    static final String METRIC = "junction.amqp.undeliverable";
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final AtomicLong lastLine = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
    private static final AtomicLong skipped = new AtomicLong();

    private Undeliverable() {
    }

    /** A queue delivery that cannot be encoded: settled so the queue moves on and the consumer's credit returns. */
    static void discard(AmqpConnection conn, Delivery d, IllegalArgumentException why) {
        if (!d.autoAck()) {
            d.queue().settle(d.deliveryId(), Settlement.DISCARD);
        }
        dropped(conn, d.message(), why);
    }

    /** A message that cannot be encoded and has nothing to settle: counted and logged. */
    static void dropped(AmqpConnection conn, Message m, IllegalArgumentException why) {
        Counter.builder(METRIC).description("Messages AMQP 0-9-1 cannot carry, discarded instead of delivered")
                .register(conn.engine.registry()).increment();
        long now = System.nanoTime();
        long last = lastLine.get();
        if (now - last < LOG_INTERVAL_NANOS || !lastLine.compareAndSet(last, now)) {
            skipped.incrementAndGet();
            return;
        }
        String key = m.routingKey();
        LOG.warn("discarding a message AMQP cannot carry (exchange '{}', routing key of {} chars starting '{}'): {}"
                        + " ({} more since the last such line)", printable(m.exchange()), key.length(),
                printable(key.substring(0, Math.min(key.length(), 64))), why.getMessage(), skipped.getAndSet(0));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == 0x7F) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
