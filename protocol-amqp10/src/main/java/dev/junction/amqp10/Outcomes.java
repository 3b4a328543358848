package dev.junction.amqp10;

import dev.junction.routing.api.Settlement;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Released;

/**
 * How a consumer's outcome settles a queue's delivery [AMQP 1.0 part 3 section 3.4]. Only a failed delivery counts:
 * {@code released} puts the message back as it was, its delivery-count not incremented (section 3.4.4, as RabbitMQ
 * 4 does), and so does {@code modified} without delivery-failed (section 3.4.5).
 */
final class Outcomes {
    /** {@code modified} with delivery-failed: what a rolled-back transaction's received messages become. */
    static final Modified FAILED = new Modified();

    static {
        FAILED.setDeliveryFailed(true);
    }

    private Outcomes() {
    }

    /**
     * accepted (or settled without outcome) = ack; rejected = dead-letter or drop; released = requeue without
     * counting the delivery; modified = requeue, counted only with delivery-failed.
     */
    static Settlement settlement(Object state) {
        if (state instanceof Rejected) {
            return Settlement.DISCARD;
        }
        if (state instanceof Modified m) {
            return Boolean.TRUE.equals(m.getDeliveryFailed()) ? Settlement.REQUEUE : Settlement.RELEASE;
        }
        return state instanceof Released ? Settlement.RELEASE : Settlement.ACK;
    }
}
