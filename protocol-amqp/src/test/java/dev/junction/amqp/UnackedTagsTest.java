package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.DeliverySource;
import dev.junction.routing.api.Settlement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** UnackedTags answers as a sorted map of tag to delivery would, through appends, removals and re-insertions. */
class UnackedTagsTest {
    private static final DeliverySource QUEUE = new DeliverySource() {
        @Override
        public String name() {
            return "q";
        }

        @Override
        public void settle(long[] deliveryIds, Settlement how) {
        }

        @Override
        public void settle(long deliveryId, Settlement how) {
        }
    };

    @Test
    void behavesAsASortedMapUnderRandomUse() {
        Random random = new Random(14);
        for (int round = 0; round < 50; round++) {
            UnackedTags tags = new UnackedTags();
            NavigableMap<Long, Long> expected = new TreeMap<>();
            List<Long> settled = new ArrayList<>();
            long next = 1;
            for (int step = 0; step < 2_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    long tag = next++;
                    tags.add(tag, QUEUE, tag * 10, tag, 0);
                    expected.put(tag, tag * 10);
                } else if (op < 8 && !expected.isEmpty()) {
                    // mostly the oldest, sometimes one in the middle
                    Long some = expected.ceilingKey(expected.firstKey() + random.nextInt((int) (next - expected.firstKey())));
                    long tag = random.nextInt(4) > 0 || some == null ? expected.firstKey() : some;
                    int i = tags.indexOf(tag);
                    assertThat(i).isGreaterThanOrEqualTo(0);
                    assertThat(tags.deliveryId(i)).isEqualTo(expected.get(tag));
                    tags.remove(i);
                    expected.remove(tag);
                    settled.add(tag);
                } else if (op == 8 && !settled.isEmpty()) {
                    // tx.rollback: a settled tag comes back
                    long tag = settled.remove(random.nextInt(settled.size()));
                    tags.add(tag, QUEUE, tag * 10, tag, 0);
                    expected.put(tag, tag * 10);
                } else if (!expected.isEmpty()) {
                    // a multiple ack up to some tag
                    long upTo = expected.firstKey() + random.nextInt(5);
                    int end = tags.upTo(upTo);
                    for (int i = tags.head(); i < end; i++) {
                        if (tags.live(i)) {
                            settled.add(tags.tag(i));
                            tags.remove(i);
                        }
                    }
                    expected.headMap(upTo, true).clear();
                }
                assertThat(contents(tags)).isEqualTo(expected);
                assertThat(tags.indexOf(next + 1)).isEqualTo(-1);
            }
        }
    }

    @Test
    void aBurstLeavesNothingBehindOnceSettled() {
        UnackedTags tags = new UnackedTags();
        for (long t = 1; t <= 10_000; t++) {
            tags.add(t, QUEUE, t, Long.MAX_VALUE, 0);
        }
        int end = tags.upTo(10_000);
        for (int i = tags.head(); i < end; i++) {
            tags.remove(i);
        }
        assertThat(tags.size()).isZero();
        tags.add(10_001, QUEUE, 1, Long.MAX_VALUE, 0);
        assertThat(tags.indexOf(10_001)).isEqualTo(0);
        assertThat(tags.indexOf(5)).isEqualTo(-1);
    }

    private static Map<Long, Long> contents(UnackedTags tags) {
        Map<Long, Long> m = new TreeMap<>();
        for (int i = tags.head(); i < tags.tail(); i++) {
            if (tags.live(i)) {
                assertThat(m.put(tags.tag(i), tags.deliveryId(i))).isNull();
            }
        }
        assertThat(m).hasSize(tags.size());
        return m;
    }
}
