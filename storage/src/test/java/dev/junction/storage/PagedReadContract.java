package dev.junction.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.junction.storage.ContractSupport.await;
import static dev.junction.storage.ContractSupport.message;
import static dev.junction.storage.ContractSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reads a queue uses to keep its backlog on disk: by remembered ids, and ids alone on recovery. Part of
 * {@link MessageStoreContract}.
 */
public interface PagedReadContract {

    QueueKey PAGED = new QueueKey("/", "paged");
    QueueKey OTHER = new QueueKey("/", "other");

    /** The store under test. */
    MessageStore store();

    /** Closes the store and opens it again on the same directory, when the implementation is durable. */
    void reopenIfDurable();

    @Test
    default void readByIdsKeepsTheGivenOrderAndLeavesOutWhatTheQueueNoLongerHolds() {
        MessageStore store = store();
        for (long id = 1; id <= 6; id++) {
            await(store.append(message(id), id == 5 ? List.of(OTHER) : List.of(PAGED, OTHER)));
        }
        await(store.remove(PAGED, 3));

        List<StoredMessage> read = store.read(PAGED, new long[] {4, 2, 3, 5, 6, 99});

        assertThat(read).extracting(StoredMessage::id).containsExactly(4L, 2L, 6L);
        assertThat(read).extracting(m -> text(m.data())).containsExactly("m4", "m2", "m6");
        assertThat(store.read(new QueueKey("/", "unknown"), new long[] {1})).isEmpty();
        assertThat(store.read(PAGED, new long[0])).isEmpty();
    }

    @Test
    default void readByIdsSeesAMessageAsSoonAsItsAppendReturns() {
        MessageStore store = store();
        store.append(message(7), List.of(PAGED));
        assertThat(store.read(PAGED, new long[] {7})).extracting(StoredMessage::id).containsExactly(7L);
    }

    @Test
    default void removingManyIdsAtOnceDropsOnlyTheQueuesOwnReferences() {
        MessageStore store = store();
        for (long id = 1; id <= 6; id++) {
            await(store.append(message(id), id % 2 == 0 ? List.of(PAGED, OTHER) : List.of(PAGED)));
        }
        await(store.remove(PAGED, new long[] {1, 2, 4, 99}));
        await(store.remove(new QueueKey("/", "unknown"), new long[] {3}));
        await(store.remove(PAGED, new long[0]));

        assertThat(store.count(PAGED)).isEqualTo(3);
        assertThat(store.read(PAGED, 0, 10)).extracting(StoredMessage::id).containsExactly(3L, 5L, 6L);
        assertThat(store.read(OTHER, 0, 10)).extracting(StoredMessage::id).containsExactly(2L, 4L, 6L);

        reopenIfDurable();
        store = store();
        assertThat(store.read(PAGED, 0, 10)).extracting(StoredMessage::id).containsExactly(3L, 5L, 6L);
        assertThat(store.read(OTHER, 0, 10)).extracting(StoredMessage::id).containsExactly(2L, 4L, 6L);
    }

    @Test
    default void idPagesListIdsInOrderWithTheirStoredSizes() {
        MessageStore store = store();
        await(store.append(new StoredMessage(3, new byte[30]), List.of(PAGED)));
        await(store.append(new StoredMessage(1, new byte[10]), List.of(PAGED)));
        await(store.append(new StoredMessage(2, new byte[20]), List.of(OTHER)));
        await(store.append(new StoredMessage(4, new byte[40]), List.of(PAGED, OTHER)));

        IdPage first = store.ids(PAGED, 0, 2);
        IdPage rest = store.ids(PAGED, first.lastId(), 10);

        assertThat(first.ids()).containsExactly(1, 3);
        assertThat(rest.ids()).containsExactly(4);
        // A size is at least the data's length; an implementation may count its own framing too.
        assertThat(first.sizes()[0]).isGreaterThanOrEqualTo(10).isLessThan(first.sizes()[1]);
        assertThat(rest.sizes()[0]).isGreaterThanOrEqualTo(40);
        assertThat(store.ids(PAGED, 4, 10).isEmpty()).isTrue();
        assertThat(store.ids(PAGED, 0, 0).isEmpty()).isTrue();
        assertThat(store.ids(new QueueKey("/", "unknown"), 0, 10).isEmpty()).isTrue();
        assertThatThrownBy(() -> store.ids(PAGED, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
