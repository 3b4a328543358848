package dev.junction.storage.time;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.storage.QueueKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk time index: order across buckets and within one, reopening, and forgetting released buckets. */
class TimeIndexFilesTest {
    private static final long B = TimeIndexFiles.BUCKET_MILLIS;

    @TempDir
    Path root;

    private static long[] all(TimeIndexFiles index, int page) {
        List<Long> out = new ArrayList<>();
        long due = Long.MIN_VALUE;
        long id = Long.MIN_VALUE;
        long[] next;
        while ((next = index.next(due, id, page)).length > 0) {
            for (long v : next) {
                out.add(v);
            }
            due = next[next.length - 2];
            id = next[next.length - 1];
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private long files() throws IOException {
        Path dir = root.resolve(TimeIndexFiles.directoryName(new QueueKey("/", "x")));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void entriesComeBackByDueTimeThenIdInPagesWhateverTheOrderTheyWereAddedIn() {
        TimeIndexFiles index = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        long base = 1_700_000_000_000L;
        List<long[]> expected = new ArrayList<>();
        Random r = new Random(7);
        for (long id = 1; id <= 5000; id++) {
            long due = base + r.nextInt((int) (5 * B));
            expected.add(new long[] {due, id});
        }
        List<long[]> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, r);
        for (int i = 0; i < shuffled.size(); i++) {
            index.add(shuffled.get(i)[0], shuffled.get(i)[1]);
            if (i % 700 == 0) {
                index.flush();
            }
        }
        expected.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long[] flat = expected.stream().flatMapToLong(Arrays::stream).toArray();
        assertThat(all(index, 333)).containsExactly(flat);
        // Entries added after a bucket was sorted are merged into it at the next read.
        index.add(base, 9_999);
        assertThat(index.next(Long.MIN_VALUE, Long.MIN_VALUE, 1)).containsExactly(
                flat[0] == base ? new long[] {base, Math.min(flat[1], 9_999)} : new long[] {base, 9_999});
        assertThat(TimeIndexFiles.open(root, new QueueKey("/", "x")).ids()).hasSize(5001);
    }

    @Test
    void entriesAppendedToASortedBucketAreMergedInOrderShortTailsInTheHeapLongOnesBySortingAgain() {
        TimeIndexFiles index = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        for (long id = 1; id <= 1000; id += 2) {
            index.add(B + id, id); // odd ids
        }
        assertThat(index.next(Long.MIN_VALUE, Long.MIN_VALUE, 2)).containsExactly(B + 1, 1, B + 3, 3); // sorts
        for (long id = 1000; id >= 2; id -= 2) {
            index.add(B + id, id); // even ids, backwards: an unsorted tail
        }
        index.add(B + 3, 3); // written twice, read once
        assertThat(index.next(B + 1, 1, 4)).containsExactly(B + 2, 2, B + 3, 3, B + 4, 4, B + 5, 5);
        assertThat(all(index, 97)).hasSize(2000); // 1000 entries, as pairs
        for (long id = 2000; id < 2000 + TimeIndexFiles.TAIL_IN_MEMORY + 10; id++) {
            index.add(2 * B - 1, id); // a tail too long for the heap: the file is sorted again
        }
        long[] last = index.next(2 * B - 1, 2000 + TimeIndexFiles.TAIL_IN_MEMORY + 7, 5);
        assertThat(last).containsExactly(2 * B - 1, 2000 + TimeIndexFiles.TAIL_IN_MEMORY + 8,
                2 * B - 1, 2000 + TimeIndexFiles.TAIL_IN_MEMORY + 9);
    }

    @Test
    void aReopenedIndexHasWhatWasFlushedAndReleasedBucketsAreDeleted() throws IOException {
        TimeIndexFiles index = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        index.add(3 * B + 5, 3);
        index.add(B + 1, 1);
        index.add(2 * B + 7, 2);
        index.flush();
        assertThat(files()).isEqualTo(3);
        TimeIndexFiles again = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        assertThat(all(again, 10)).containsExactly(B + 1, 1, 2 * B + 7, 2, 3 * B + 5, 3);
        again.releasedBefore(3 * B); // the buckets of the first two entries end before this
        assertThat(files()).isEqualTo(1);
        assertThat(again.ids()).containsExactly(3);
        again.clear();
        assertThat(files()).isZero();
        assertThat(TimeIndexFiles.open(root, new QueueKey("/", "x")).ids()).isEmpty();
    }

    @Test
    void anUnfinishedRewriteIsDeletedAtOpenAndHugeIdsStillSort() throws IOException {
        TimeIndexFiles index = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        index.add(10, Long.MAX_VALUE - 1);
        index.add(10, 5);
        index.add(3, Long.MAX_VALUE);
        index.flush();
        Path dir = root.resolve(TimeIndexFiles.directoryName(new QueueKey("/", "x")));
        Files.write(dir.resolve("0.tidx.tmp"), new byte[] {1, 2, 3});
        TimeIndexFiles again = TimeIndexFiles.open(root, new QueueKey("/", "x"));
        assertThat(Files.exists(dir.resolve("0.tidx.tmp"))).isFalse();
        assertThat(again.next(Long.MIN_VALUE, Long.MIN_VALUE, 10))
                .containsExactly(3, Long.MAX_VALUE, 10, 5, 10, Long.MAX_VALUE - 1);
    }
}
