package dev.junction.storage.memory;

import dev.junction.storage.MessageStore;
import dev.junction.storage.MessageStoreContract;
import dev.junction.storage.RetainedMessage;
import dev.junction.storage.SessionStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract for the heap store, plus what only the heap store promises. */
class InMemoryMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore open(Path dir) {
        return new InMemoryMessageStore();
    }

    @Override
    protected OptionalLong bodyCount(MessageStore store) {
        return OptionalLong.of(((InMemoryMessageStore) store).bodyCount());
    }

    @Test
    void futuresAreAlreadyCompleteWhenReturned() {
        assertThat(store.append(message(1), List.of(ORDERS))).isCompleted();
        assertThat(store.remove(ORDERS, 1)).isCompleted();
        assertThat(store.removeQueue(ORDERS)).isCompleted();
        assertThat(store.retained().put(new RetainedMessage("/", "t", bytes("r")))).isCompleted();
        assertThat(store.sessions().put(new SessionStore.Session("/", "c", bytes("s")))).isCompleted();
    }

    @Test
    void appendingAnIdThatIsStillStoredIsRejected() {
        await(store.append(message(1), List.of(ORDERS)));
        assertThatThrownBy(() -> store.append(message(1), List.of(AUDIT)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.count(AUDIT)).isZero();

        await(store.remove(ORDERS, 1)); // once gone, the id is no longer a duplicate
        await(store.append(message(1), List.of(AUDIT)));
        assertThat(store.count(AUDIT)).isEqualTo(1);
    }
}
