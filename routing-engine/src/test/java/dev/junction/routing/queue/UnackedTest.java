package dev.junction.routing.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The table of unsettled deliveries answers as a map of ids would, through growth, deletion and release. */
class UnackedTest {
    @Test
    void settlesWhatAMapOfIdsWould() {
        Message m = new Message("", "k", MessageProperties.EMPTY, new byte[1]);
        for (int seed = 0; seed < 5; seed++) {
            Random r = new Random(seed);
            Unacked u = new Unacked();
            Map<Long, QueueEntry> ref = new HashMap<>();
            List<Long> live = new ArrayList<>();
            long next = r.nextInt(1000);
            for (int op = 0; op < 20000; op++) {
                int k = r.nextInt(10);
                if (k < 5) {
                    QueueEntry e = new QueueEntry(m, next, next, 0, Long.MAX_VALUE, false, List.of());
                    u.add(next, e, null);
                    ref.put(next, e);
                    live.add(next);
                    next += 1 + (r.nextInt(4) == 0 ? r.nextInt(1 << 20) : 0);
                } else if (k < 9 && !live.isEmpty()) {
                    long id = live.remove(r.nextInt(3) == 0 ? r.nextInt(live.size()) : 0);
                    assertThat(u.settle(id)).isSameAs(ref.remove(id));
                } else {
                    long id = r.nextLong();
                    assertThat(u.settle(id)).isSameAs(ref.remove(id));
                }
                assertThat(u.size()).isEqualTo(ref.size());
                if (r.nextInt(5000) == 0) {
                    List<Long> got = new ArrayList<>();
                    u.releaseAll(got::add);
                    assertThat(got).containsExactlyInAnyOrderElementsOf(ref.keySet());
                    ref.clear();
                    live.clear();
                    assertThat(u.size()).isZero();
                }
            }
            for (long id : live) {
                assertThat(u.settle(id)).isSameAs(ref.remove(id));
            }
            assertThat(u.size()).isZero();
        }
    }
}
