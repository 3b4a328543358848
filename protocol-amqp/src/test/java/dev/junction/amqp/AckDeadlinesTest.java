package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The deadlines {@link Outstanding} keeps for {@link AckTimeout} (RabbitMQ "Delivery Acknowledgement Timeout"): each
 * delivery its own timeout, none for a timeout of 0, and what is settled no longer counts.
 */
class AckDeadlinesTest {
    private final List<Settlement> settled = new ArrayList<>();
    private final DeliverySource source = new DeliverySource() {
        @Override
        public String name() {
            return "q";
        }

        @Override
        public void settle(long[] deliveryIds, Settlement how) {
            for (long ignored : deliveryIds) {
                settled.add(how);
            }
        }

        @Override
        public void settle(long deliveryId, Settlement how) {
            settled.add(how);
        }
    };

    @Test
    void theFirstOverdueDeliveryNamesItsTimeoutAndSettledOnesDoNotCount() {
        Outstanding o = new Outstanding(new Settlements());
        long before = System.currentTimeMillis();
        long d1 = o.delivered(1, source, 11, 60_000);
        long d2 = o.delivered(2, source, 12, 500);
        long never = o.delivered(3, source, 13, 0);

        assertThat(d1).isGreaterThanOrEqualTo(before + 60_000);
        assertThat(never).isEqualTo(Long.MAX_VALUE);
        assertThat(o.earliest()).isEqualTo(d2);
        assertThat(o.overdue(d2 - 1)).isZero();
        assertThat(o.overdue(d2)).isEqualTo(500);

        o.settle(null, 2, false, Settlement.ACK, false);
        assertThat(o.overdue(d2)).isZero();
        assertThat(o.earliest()).isEqualTo(d1);
        assertThat(o.overdue(d1)).isEqualTo(60_000);

        o.release();
        assertThat(o.earliest()).isEqualTo(Long.MAX_VALUE);
        assertThat(settled).containsExactly(Settlement.ACK, Settlement.REQUEUE, Settlement.REQUEUE);
    }
}
