package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckBatchTest {

    /** Records what it was asked to settle, as "name:ids". */
    private record Recording(String name, List<String> calls) implements DeliverySource {
        @Override
        public void settle(long[] deliveryIds, Settlement how) {
            calls.add(name + ":" + Arrays.toString(deliveryIds) + " " + how);
        }

        @Override
        public void settle(long deliveryId, Settlement how) {
            calls.add(name + ":" + deliveryId + " " + how);
        }
    }

    @Test
    void theAcknowledgementsOfOneReadReachTheQueueAsOneSettlement() {
        List<String> calls = new ArrayList<>();
        DeliverySource q = new Recording("q", calls);
        AckBatch batch = new AckBatch();
        assertThat(batch.add(q, 1)).as("the first of the batch").isTrue();
        for (long id = 2; id <= 40; id++) {
            assertThat(batch.add(q, id)).isFalse();
        }
        assertThat(calls).as("nothing before the flush").isEmpty();
        batch.flush();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0)).startsWith("q:[1, 2, 3,").endsWith("39, 40] ACK");
        batch.flush();
        assertThat(calls).as("an empty flush settles nothing").hasSize(1);
        assertThat(batch.add(q, 41)).as("a new batch").isTrue();
    }

    @Test
    void aSingleAcknowledgementIsSettledAlone() {
        List<String> calls = new ArrayList<>();
        AckBatch batch = new AckBatch();
        batch.add(new Recording("q", calls), 7);
        batch.flush();
        assertThat(calls).containsExactly("q:7 ACK");
    }

    @Test
    void anotherQueueFirstSettlesWhatWasGatheredForTheFirst() {
        List<String> calls = new ArrayList<>();
        DeliverySource a = new Recording("a", calls);
        DeliverySource b = new Recording("b", calls);
        AckBatch batch = new AckBatch();
        batch.add(a, 1);
        batch.add(a, 2);
        batch.add(b, 3);
        batch.flush();
        assertThat(calls).containsExactly("a:[1, 2] ACK", "b:3 ACK");
    }
}
