package dev.junction.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

/**
 * A holder's {@link TimeIndex}: entries come back by due time, then id, whatever order they were added in; each
 * holder has its own; what was flushed is there after a reopen of a durable store; entries released are forgotten
 * and {@link TimeIndex#clear} forgets everything. Part of {@link MessageStoreContract}.
 */
public interface TimeIndexContract {
    QueueKey HOLDER = new QueueKey("/", "amq.delayed/later");

    MessageStore store();

    boolean durable();

    void reopenStore();

    @Test
    default void aTimeIndexGivesItsEntriesByDueTimeThenId() {
        TimeIndex index = store().timeIndex(HOLDER);
        index.add(5_000, 7);
        index.add(200_000, 3);
        index.add(5_000, 2);
        index.add(-10, 9);
        index.flush();
        assertThat(index.next(Long.MIN_VALUE, Long.MIN_VALUE, 10)).containsExactly(-10, 9, 5_000, 2, 5_000, 7,
                200_000, 3);
        assertThat(index.next(5_000, 2, 2)).containsExactly(5_000, 7, 200_000, 3);
        assertThat(index.ids()).containsExactlyInAnyOrder(2, 3, 7, 9);
        assertThat(store().timeIndex(new QueueKey("/", "amq.delayed/other")).ids()).as("one index per holder")
                .isEmpty();
    }

    @Test
    default void aTimeIndexForgetsReleasedEntriesAndIsClearedWhole() {
        TimeIndex index = store().timeIndex(HOLDER);
        index.add(1, 1);
        index.add(10_000_000, 2);
        index.flush();
        index.releasedBefore(5_000_000);
        assertThat(index.next(Long.MIN_VALUE, Long.MIN_VALUE, 10)).containsExactly(10_000_000, 2);
        index.clear();
        assertThat(index.ids()).isEmpty();
        assertThat(store().timeIndex(HOLDER).ids()).isEmpty();
    }

    @Test
    default void aFlushedTimeIndexSurvivesReopen() {
        assumeThat(durable()).as("store keeps data across reopen").isTrue();
        TimeIndex index = store().timeIndex(HOLDER);
        index.add(300, 4);
        index.add(100, 5);
        index.flush();
        reopenStore();
        assertThat(store().timeIndex(HOLDER).next(Long.MIN_VALUE, Long.MIN_VALUE, 10))
                .containsExactly(100, 5, 300, 4);
    }
}
