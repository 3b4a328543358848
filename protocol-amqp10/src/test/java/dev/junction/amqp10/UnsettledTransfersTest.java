package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Sender;
import org.junit.jupiter.api.Test;

/** An outgoing link's unsettled transfers and its delivery tags (docs/amqp10.md, "Flow and settlement"). */
class UnsettledTransfersTest {
    private final Sender sender = Connection.Factory.create().session().sender("out");
    private long next;

    private Delivery sent(UnsettledTransfers u) {
        Delivery d = sender.delivery(OutgoingLink.tag(next++));
        d.setContext("engine delivery " + next);
        u.add(d);
        return d;
    }

    private static void settle(UnsettledTransfers u, Delivery d) {
        d.setContext(null);
        u.settled();
    }

    @Test
    void whatTheClientDidNotSettleIsHandedBackInOrderAtTheEnd() {
        UnsettledTransfers u = new UnsettledTransfers();
        List<Delivery> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(sent(u));
        }
        settle(u, all.get(0));
        settle(u, all.get(3)); // out of order
        settle(u, all.get(9));
        assertThat(u.size()).isEqualTo(7);
        List<Delivery> left = new ArrayList<>();
        u.drain(left::add);
        assertThat(left).containsExactly(all.get(1), all.get(2), all.get(4), all.get(5), all.get(6), all.get(7),
                all.get(8));
        assertThat(u.size()).isZero();
        u.settled(); // a late outcome after the end counts nothing
        assertThat(u.size()).isZero();
    }

    @Test
    void oneTransferHeldForeverDoesNotKeepTheSettledOnesAfterIt() {
        UnsettledTransfers u = new UnsettledTransfers();
        Delivery held = sent(u);
        for (int i = 0; i < 10_000; i++) {
            settle(u, sent(u));
        }
        assertThat(u.size()).isEqualTo(1);
        List<Delivery> left = new ArrayList<>();
        u.drain(left::add);
        assertThat(left).containsExactly(held);
    }

    /** Part 2 section 2.8.7: a delivery tag is unique on its link, at most 32 bytes. */
    @Test
    void deliveryTagsAreShortAndUnique() {
        Set<String> seen = new HashSet<>();
        long[] probes = {0, 1, 255, 256, 65_535, 65_536, Integer.MAX_VALUE, Long.MAX_VALUE, -1};
        for (long n : probes) {
            byte[] tag = OutgoingLink.tag(n);
            assertThat(tag.length).isBetween(1, 8);
            assertThat(seen.add(java.util.Arrays.toString(tag))).as("tag of %d", n).isTrue();
        }
        for (long n = 0; n < 70_000; n++) {
            seen.add(java.util.Arrays.toString(OutgoingLink.tag(n)));
        }
        assertThat(seen).hasSizeGreaterThanOrEqualTo(70_000);
        assertThat(OutgoingLink.tag(0)).containsExactly(0);
        assertThat(OutgoingLink.tag(256)).containsExactly(1, 0);
    }
}
