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
