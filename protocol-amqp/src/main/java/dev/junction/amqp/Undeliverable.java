package dev.junction.amqp;

import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.guard.LogLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deliveries AMQP 0-9-1 cannot carry: in practice a message published over MQTT whose topic, and so routing key,
 * is over the 255-octet shortstr limit of basic.deliver / basic.get-ok (AMQP 0-9-1 section 4.2.5.3). The message
 * is settled with {@link Settlement#DISCARD} (dead-lettered when the queue has a dead-letter exchange, else
 * dropped), counted in {@code junction.amqp.undeliverable}, and logged in at most one line every
 * {@link #LOG_INTERVAL_SECONDS} s; the lines skipped in between are counted in the next one.
 */
final class Undeliverable {
    private static final Logger LOG = LoggerFactory.getLogger(Undeliverable.class);
    static final String METRIC = "junction.amqp.undeliverable";
    static final int LOG_INTERVAL_SECONDS = 10;
    private static final LogLimiter LINES = new LogLimiter(LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);

    private Undeliverable() {
    }

    /** A queue delivery that cannot be encoded: settled so the queue moves on and the consumer's credit returns. */
    static void discard(MeterRegistry registry, Delivery d, IllegalArgumentException why) {
        if (!d.autoAck()) {
            d.settle(Settlement.DISCARD);
        }
        dropped(registry, d.message(), why);
    }

    /** A message that cannot be encoded and has nothing to settle: counted and logged. */
    static void dropped(MeterRegistry registry, Message m, IllegalArgumentException why) {
        Counter.builder(METRIC).description("Messages AMQP 0-9-1 cannot carry, discarded instead of delivered")
                .register(registry).increment();
        String key = m.routingKey();
        LINES.log(LOG::warn, "undeliverable",
                "discarding a message AMQP cannot carry (exchange '{}', routing key of {} chars starting '{}'): {}",
                m.exchange(), key.length(), key.substring(0, Math.min(key.length(), 64)), why.getMessage());
    }
}
