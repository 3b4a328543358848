package dev.junction.storage.log;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The columnar message table against a plain map of records, on random operation sequences. */
class MessageTableTest {

    private record Entry(int refs, Segment segment, long offset, int length) {
    }

    @Test
    void behavesLikeAMapOfIdToLocationAndReferences() {
        Random random = new Random(7);
        Segment[] segments = {new Segment(1, Path.of("1.seg")), new Segment(2, Path.of("2.seg"))};
        MessageTable table = new MessageTable();
        Map<Long, Entry> expected = new HashMap<>();
        long next = 1;
        for (int op = 0; op < 200_000; op++) {
            int kind = random.nextInt(10);
            long id = 1 + random.nextInt((int) next + 10);
            Entry e = expected.get(id);
            if (kind < 4) {
                // ids mostly arrive densely, with a jump now and then across a chunk boundary
                long fresh = next;
                next += random.nextInt(50) == 0 ? MessageTable.CHUNK + random.nextInt(100) : 1;
                int refs = 1 + random.nextInt(3);
                table.add(fresh, refs, 100 + (int) (fresh % 50));
                expected.put(fresh, new Entry(refs, null, 0, 100 + (int) (fresh % 50)));
            } else if (kind < 6 && e != null) {
                Segment s = segments[random.nextInt(2)];
                long offset = random.nextInt(1 << 30);
                table.locate(id, s, offset, e.length + 4);
                expected.put(id, new Entry(e.refs, s, offset, e.length + 4));
            } else if (kind < 8 && e != null && e.refs > 0) {
                assertThat(table.release(id)).isEqualTo(e.refs == 1);
                expected.put(id, new Entry(e.refs - 1, e.segment, e.offset, e.length));
            } else if (kind < 9 && e != null && e.refs == 0) {
                table.free(id);
                expected.remove(id);
            } else if (e != null) {
                assertThatThrownBy(() -> table.add(id, 1, 1)).isInstanceOf(IllegalArgumentException.class);
            }
            Entry now = expected.get(id);
            assertThat(table.present(id)).isEqualTo(now != null);
            assertThat(table.refs(id)).isEqualTo(now == null ? -1 : now.refs);
            if (now != null) {
                assertThat(table.segment(id)).isSameAs(now.segment);
                assertThat(table.offset(id)).isEqualTo(now.offset);
                assertThat(table.length(id)).isEqualTo(now.length);
            }
        }
        assertThat(table.live()).isEqualTo(expected.values().stream().filter(x -> x.refs > 0).count());
        expected.forEach((id, x) -> {
            while (table.refs(id) > 0) {
                table.release(id);
            }
            table.free(id);
        });
        assertThat(table.live()).isZero();
        for (long id = 1; id < next; id++) {
            assertThat(table.present(id)).isFalse();
        }
    }
}
