package dev.junction.storage.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The packed index structures against the JDK collections they replace, on random operation sequences. */
class IndexStructuresTest {

    @Test
    void idListBehavesLikeASortedSet() {
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            IdList list = new IdList();
            TreeSet<Long> expected = new TreeSet<>();
            long next = 1;
            for (int op = 0; op < 5000; op++) {
                int kind = random.nextInt(10);
                if (kind < 4) {
                    long id = next++;
                    assertThat(list.add(id)).isEqualTo(expected.add(id));
                } else if (kind < 5 && next > 1) {
                    long id = 1 + random.nextInt((int) next); // out of order, sometimes a duplicate
                    assertThat(list.add(id)).isEqualTo(expected.add(id));
                } else if (kind < 8 && !expected.isEmpty()) {
                    long id = random.nextBoolean() ? expected.first() : 1 + random.nextInt((int) next);
                    assertThat(list.remove(id)).isEqualTo(expected.remove(id));
                } else {
                    long after = random.nextInt((int) next + 1);
                    int max = random.nextInt(20);
                    List<Long> page = new ArrayList<>();
                    list.forEachAfter(after, max, page::add);
                    assertThat(page).containsExactlyElementsOf(
                            expected.tailSet(after, false).stream().limit(max).toList());
                }
                assertThat(list.size()).isEqualTo(expected.size());
            }
            List<Long> all = new ArrayList<>();
            list.forEach(all::add);
            assertThat(all).containsExactlyElementsOf(expected);
            for (long id = 1; id < next; id++) {
                assertThat(list.contains(id)).isEqualTo(expected.contains(id));
            }
        }
    }

    @Test
    void outOfOrderAddsAmongRemovedIdsKeepTheOrder() {
        // Removed ids in the middle leave marks; an add that needs room squeezes them out first.
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            IdList list = new IdList();
            TreeSet<Long> expected = new TreeSet<>();
            int n = 8 + random.nextInt(200);
            for (long id = 1; id <= n; id++) {
                list.add(id * 10);
                expected.add(id * 10);
            }
            for (int op = 0; op < 400; op++) {
                long id = 1 + random.nextInt(n * 10 + 10);
                if (random.nextInt(3) == 0) {
                    assertThat(list.remove(id)).isEqualTo(expected.remove(id));
                } else {
                    assertThat(list.add(id)).isEqualTo(expected.add(id));
                }
            }
            List<Long> all = new ArrayList<>();
            list.forEach(all::add);
            assertThat(all).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void idsAddedAtTheFrontOfALongListKeepTheirOrder() {
        // Recovery meets ids that compaction wrote again at the head of the log after the queue's newer ones.
        IdList list = new IdList();
        TreeSet<Long> expected = new TreeSet<>();
        for (long id = 10_001; id <= 20_000; id++) {
            list.add(id);
            expected.add(id);
        }
        for (long id = 10_000; id >= 1; id -= 3) {
            assertThat(list.add(id)).isTrue();
            expected.add(id);
        }
        assertThat(list.add(4)).isFalse();
        assertThat(list.remove(10_000)).isTrue();
        expected.remove(10_000L);
        assertThat(list.remove(1)).isTrue();
        expected.remove(1L);
        List<Long> all = new ArrayList<>();
        list.forEach(all::add);
        assertThat(all).containsExactlyElementsOf(expected);
        assertThat(list.size()).isEqualTo(expected.size());
        List<Long> page = new ArrayList<>();
        list.forEachAfter(9_995, 3, page::add);
        assertThat(page).containsExactly(9_997L, 10_001L, 10_002L);
    }

    @Test
    void longMapBehavesLikeAHashMap() {
        Random random = new Random(7);
        LongMap<String> map = new LongMap<>();
        Map<Long, String> expected = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            long key = 1 + random.nextInt(op < 100_000 ? 50_000 : 500); // grow, then shrink
            switch (random.nextInt(3)) {
                case 0 -> assertThat(map.put(key, "v" + op)).isEqualTo(expected.put(key, "v" + op));
                case 1 -> assertThat(map.remove(key)).isEqualTo(expected.remove(key));
                default -> assertThat(map.get(key)).isEqualTo(expected.get(key));
            }
            if (op == 100_000) {
                expected.keySet().removeIf(k -> {
                    if (k > 500) {
                        assertThat(map.remove(k)).isNotNull();
                        return true;
                    }
                    return false;
                });
            }
            assertThat(map.size()).isEqualTo(expected.size());
        }
        List<String> values = new ArrayList<>();
        map.forEachValue(values::add);
        assertThat(values).containsExactlyInAnyOrderElementsOf(expected.values());
    }
}
