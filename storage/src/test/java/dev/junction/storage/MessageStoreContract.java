package dev.junction.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules every {@link MessageStore} follows. An implementation's test extends this class and supplies
 * {@link #open(Path)}; a durable one also returns true from {@link #survivesReopen()} so that the reopen
 * checks run. Each test gets a fresh store in a fresh temporary directory, closed afterwards. The messages
 * rules are here; the others come in by the interfaces, one per subject (metadata, paged reads, concurrency,
 * close, reopen), so every implementation runs all of them.
 */
public abstract class MessageStoreContract implements MetadataStoreContract, PagedReadContract,
        ConcurrentStoreContract, ClosedStoreContract, ReopenContract, TimeIndexContract {

    protected static final QueueKey ORDERS = ContractSupport.ORDERS;
    protected static final QueueKey AUDIT = ContractSupport.AUDIT;
    protected static final QueueKey ORDERS_IN_OTHER_VHOST = ContractSupport.ORDERS_IN_OTHER_VHOST;

    @TempDir
    protected Path dir;

    /** The store under test; replaced by {@link #reopen()}. */
    protected MessageStore store;

    /** Opens a store kept in {@code dir} (empty the first time, the same directory on reopen). */
    protected abstract MessageStore open(Path dir);

    /** Whether a store closed and opened again on the same directory still holds everything. */
    protected boolean survivesReopen() {
        return false;
    }

    /**
     * How many message bodies {@code store} holds, if the implementation can tell; lets the contract check
     * that a fanned-out message is stored once and that its last removal drops it.
     */
    protected OptionalLong bodyCount(MessageStore store) {
        return OptionalLong.empty();
    }

    @Override
    public MessageStore store() {
        return store;
    }

    @Override
    public void reopenIfDurable() {
        if (survivesReopen()) {
            reopen();
        }
    }

    @Override
    public final boolean durable() {
        return survivesReopen();
    }

    @Override
    public final void reopenStore() {
        reopen();
    }

    @Override
    public final void assertBodyCount(long expected) {
        OptionalLong bodies = bodyCount(store);
        if (bodies.isPresent()) {
            assertThat(bodies.getAsLong()).as("message bodies held").isEqualTo(expected);
        }
    }

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- messages ----------------------------------------------------------------------------------------

    @Test
    void emptyStoreHasNoQueuesNoMessagesAndHighestIdZero() {
        assertThat(store.queues()).isEmpty();
        assertThat(store.count(ORDERS)).isZero();
        assertThat(store.read(ORDERS, 0, 10)).isEmpty();
        assertThat(store.highestMessageId()).isZero();
        assertBodies(0);
    }

    @Test
    void messageRoutedToTwoQueuesIsStoredOnceAndSurvivesUntilBothRemoveIt() {
        await(store.append(message(1), List.of(ORDERS, AUDIT)));
        assertBodies(1);
        assertThat(texts(store.read(ORDERS, 0, 10))).containsExactly("1:m1");
        assertThat(texts(store.read(AUDIT, 0, 10))).containsExactly("1:m1");

        await(store.remove(ORDERS, 1));
        assertThat(store.read(ORDERS, 0, 10)).isEmpty();
        assertThat(texts(store.read(AUDIT, 0, 10))).containsExactly("1:m1");
        assertBodies(1);

        await(store.remove(AUDIT, 1));
        assertThat(store.read(AUDIT, 0, 10)).isEmpty();
        assertThat(store.queues()).isEmpty();
        assertBodies(0);
    }

    @Test
    void readPagesInIdOrderAfterTheGivenId() {
        for (long id = 1; id <= 5; id++) {
            await(store.append(message(id), List.of(ORDERS)));
        }
        assertThat(ids(store.read(ORDERS, 0, 2))).containsExactly(1L, 2L);
        assertThat(ids(store.read(ORDERS, 2, 2))).containsExactly(3L, 4L);
        assertThat(ids(store.read(ORDERS, 4, 2))).containsExactly(5L);
        assertThat(store.read(ORDERS, 5, 2)).isEmpty();
        assertThat(ids(store.read(ORDERS, 0, 100))).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void readSkipsRemovedMessagesAndStartsBetweenIds() {
        for (long id : new long[] {10, 20, 30, 40}) {
            await(store.append(message(id), List.of(ORDERS)));
        }
        await(store.remove(ORDERS, 20));
        assertThat(ids(store.read(ORDERS, 15, 2))).containsExactly(30L, 40L);
    }

    @Test
    void appendsArrivingOutOfIdOrderAreReadInIdOrder() {
        for (long id : new long[] {3, 1, 5, 2, 4}) {
            await(store.append(message(id), List.of(ORDERS)));
        }
        assertThat(ids(store.read(ORDERS, 0, 10))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(store.highestMessageId()).isEqualTo(5);
    }

    @Test
    void readOfUnknownQueueOrZeroMaxIsEmpty() {
        await(store.append(message(1), List.of(ORDERS)));
        assertThat(store.read(AUDIT, 0, 10)).isEmpty();
        assertThat(store.read(ORDERS_IN_OTHER_VHOST, 0, 10)).isEmpty();
        assertThat(store.read(ORDERS, 0, 0)).isEmpty();
    }

    @Test
    void countAndQueuesFollowTheReferences() {
        await(store.append(message(1), List.of(ORDERS, AUDIT)));
        await(store.append(message(2), List.of(ORDERS)));
        await(store.append(message(3), List.of(ORDERS_IN_OTHER_VHOST)));
        assertThat(store.count(ORDERS)).isEqualTo(2);
        assertThat(store.count(AUDIT)).isEqualTo(1);
        assertThat(store.count(ORDERS_IN_OTHER_VHOST)).isEqualTo(1);
        assertThat(store.queues()).containsExactlyInAnyOrder(ORDERS, AUDIT, ORDERS_IN_OTHER_VHOST);

        await(store.remove(AUDIT, 1));
        assertThat(store.count(AUDIT)).isZero();
        assertThat(store.queues()).containsExactlyInAnyOrder(ORDERS, ORDERS_IN_OTHER_VHOST);
    }

    @Test
    void removeQueueDropsOnlyThatQueuesReferences() {
        await(store.append(message(1), List.of(ORDERS, AUDIT)));
        await(store.append(message(2), List.of(ORDERS)));
        await(store.append(message(3), List.of(ORDERS_IN_OTHER_VHOST)));

        await(store.removeQueue(ORDERS));

        assertThat(store.count(ORDERS)).isZero();
        assertThat(store.read(ORDERS, 0, 10)).isEmpty();
        assertThat(texts(store.read(AUDIT, 0, 10))).containsExactly("1:m1");
        assertThat(texts(store.read(ORDERS_IN_OTHER_VHOST, 0, 10))).containsExactly("3:m3");
        assertThat(store.queues()).containsExactlyInAnyOrder(AUDIT, ORDERS_IN_OTHER_VHOST);
        assertBodies(2);

        await(store.removeQueue(ORDERS)); // again, and for a queue with nothing: no-ops
        await(store.removeQueue(new QueueKey("/", "never-used")));
        assertThat(store.queues()).containsExactlyInAnyOrder(AUDIT, ORDERS_IN_OTHER_VHOST);
    }

    @Test
    void removingAReferenceTheQueueDoesNotHoldDoesNothing() {
        await(store.append(message(1), List.of(ORDERS)));
        await(store.remove(AUDIT, 1));
        await(store.remove(ORDERS, 99));
        await(store.remove(ORDERS_IN_OTHER_VHOST, 1));
        assertThat(texts(store.read(ORDERS, 0, 10))).containsExactly("1:m1");

        await(store.remove(ORDERS, 1));
        await(store.remove(ORDERS, 1)); // a second ack of the same message
        assertThat(store.count(ORDERS)).isZero();
        assertBodies(0);
    }

    @Test
    void highestIdIsNotLoweredByRemoval() {
        await(store.append(message(1), List.of(ORDERS)));
        await(store.append(message(7), List.of(ORDERS, AUDIT)));
        await(store.remove(ORDERS, 7));
        await(store.remove(AUDIT, 7));
        assertThat(store.highestMessageId()).isEqualTo(7);
        await(store.removeQueue(ORDERS));
        assertThat(store.highestMessageId()).isEqualTo(7);
        await(store.append(message(3), List.of(ORDERS))); // a late, lower id does not lower it either
        assertThat(store.highestMessageId()).isEqualTo(7);
    }

    @Test
    void appendToNoQueueStoresNothingButRaisesHighestId() {
        await(store.append(message(4), List.of()));
        assertThat(store.queues()).isEmpty();
        assertBodies(0);
        assertThat(store.highestMessageId()).isEqualTo(4);
    }

    @Test
    void aQueueListedTwiceHoldsOneReference() {
        await(store.append(message(1), List.of(ORDERS, ORDERS, AUDIT)));
        assertThat(store.count(ORDERS)).isEqualTo(1);
        assertThat(store.read(ORDERS, 0, 10)).hasSize(1);

        await(store.remove(ORDERS, 1));
        assertThat(store.count(ORDERS)).isZero();
        assertThat(texts(store.read(AUDIT, 0, 10))).containsExactly("1:m1");
        await(store.remove(AUDIT, 1));
        assertBodies(0);
    }

    @Test
    void appendedBytesAreCopiedAndReadBytesAreTheCallersOwn() {
        byte[] data = bytes("abc");
        await(store.append(new StoredMessage(1, data), List.of(ORDERS, AUDIT)));
        data[0] = 'X';
        assertThat(texts(store.read(ORDERS, 0, 1))).containsExactly("1:abc");

        byte[] read = store.read(ORDERS, 0, 1).get(0).data();
        read[0] = 'Y';
        assertThat(texts(store.read(ORDERS, 0, 1))).containsExactly("1:abc");
        assertThat(texts(store.read(AUDIT, 0, 1))).containsExactly("1:abc");
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> store.read(ORDERS, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append(message(0), List.of(ORDERS)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append(message(-5), List.of(ORDERS)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append(null, List.of(ORDERS))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.append(new StoredMessage(1, null), List.of(ORDERS)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.remove(null, 1)).isInstanceOf(NullPointerException.class);
        assertThat(store.queues()).isEmpty();
        assertThat(store.highestMessageId()).isZero();
    }

    // ---- futures, threads, lifecycle ----------------------------------------------------------------------

    @Test
    void futuresCompleteForEveryMutation() {
        List<CompletableFuture<Void>> futures = List.of(
                store.append(message(1), List.of(ORDERS, AUDIT)),
                store.append(message(2), List.of()),
                store.remove(ORDERS, 1),
                store.remove(ORDERS, 1),
                store.removeQueue(AUDIT),
                store.removeQueue(AUDIT),
                store.definitions().put(definition(DefinitionKind.VHOST, "", "/", "v")),
                store.definitions().delete(DefinitionKind.VHOST, "", "/"),
                store.definitions().delete(DefinitionKind.VHOST, "", "/"),
                store.retained().put(new RetainedMessage("/", "t", bytes("r"))),
                store.retained().delete("/", "t"),
                store.retained().delete("/", "t"),
                store.sessions().put(new SessionStore.Session("/", "c", bytes("s"))),
                store.sessions().delete("/", "c"),
                store.sessions().delete("/", "c"));
        for (CompletableFuture<Void> future : futures) {
            assertThat(future).isNotNull();
            assertThat(await(future)).isNull();
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** Closes the store and opens a new one on the same directory. */
    protected final void reopen() {
        store.close();
        store = null;
        store = open(dir);
    }

    protected static <T> T await(CompletableFuture<T> future) {
        return ContractSupport.await(future);
    }

    protected static StoredMessage message(long id) {
        return ContractSupport.message(id);
    }

    protected static Definition definition(DefinitionKind kind, String vhost, String name, String data) {
        return ContractSupport.definition(kind, vhost, name, data);
    }

    protected static byte[] bytes(String text) {
        return ContractSupport.bytes(text);
    }

    protected static String text(byte[] data) {
        return ContractSupport.text(data);
    }

    private void assertBodies(long expected) {
        assertBodyCount(expected);
    }

    private static List<Long> ids(List<StoredMessage> messages) {
        return ContractSupport.ids(messages);
    }

    private static List<String> texts(List<StoredMessage> messages) {
        return ContractSupport.texts(messages);
    }
}
