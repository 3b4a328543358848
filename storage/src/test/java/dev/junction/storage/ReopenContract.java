package dev.junction.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.junction.storage.ContractSupport.AUDIT;
import static dev.junction.storage.ContractSupport.ORDERS;
import static dev.junction.storage.ContractSupport.ORDERS_IN_OTHER_VHOST;
import static dev.junction.storage.ContractSupport.await;
import static dev.junction.storage.ContractSupport.bytes;
import static dev.junction.storage.ContractSupport.definition;
import static dev.junction.storage.ContractSupport.message;
import static dev.junction.storage.ContractSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A durable store holds everything across a close and an open on the same directory; the checks are skipped for
 * a store that is not durable. Part of {@link MessageStoreContract}.
 */
public interface ReopenContract {

    /** The store under test; a new instance after {@link #reopenStore()}. */
    MessageStore store();

    /** Whether a store closed and opened again on the same directory still holds everything. */
    boolean durable();

    /** Closes the store and opens a new one on the same directory. */
    void reopenStore();

    /** Fails unless the store holds {@code expected} message bodies, when the implementation can tell. */
    void assertBodyCount(long expected);

    @Test
    default void everythingSurvivesReopen() {
        assumeThat(durable()).as("store keeps data across reopen").isTrue();
        await(store().append(message(1), List.of(ORDERS, AUDIT)));
        await(store().append(message(2), List.of(ORDERS)));
        await(store().append(message(3), List.of(AUDIT, ORDERS_IN_OTHER_VHOST)));
        await(store().append(message(4), List.of(ORDERS)));
        await(store().append(message(5), List.of(new QueueKey("/", "deleted"))));
        await(store().remove(ORDERS, 2));
        await(store().remove(AUDIT, 1));
        await(store().removeQueue(new QueueKey("/", "deleted")));
        await(store().definitions().put(definition(DefinitionKind.QUEUE, "/", "orders", "q1")));
        await(store().definitions().put(definition(DefinitionKind.VHOST, "", "/", "v")));
        await(store().definitions().put(definition(DefinitionKind.QUEUE, "/", "audit", "q")));
        await(store().definitions().put(definition(DefinitionKind.QUEUE, "/", "orders", "q2")));
        await(store().definitions().put(definition(DefinitionKind.QUEUE, "/", "gone", "q")));
        await(store().definitions().delete(DefinitionKind.QUEUE, "/", "gone"));
        await(store().retained().put(new RetainedMessage("/", "a/b", bytes("r1"))));
        await(store().retained().put(new RetainedMessage("/", "a/b", bytes("r2"))));
        await(store().retained().put(new RetainedMessage("/", "gone", bytes("r"))));
        await(store().retained().delete("/", "gone"));
        await(store().sessions().put(new SessionStore.Session("/", "c1", bytes("s1"))));
        await(store().sessions().put(new SessionStore.Session("/", "gone", bytes("s"))));
        await(store().sessions().delete("/", "gone"));

        reopenStore();

        assertThat(texts(store().read(ORDERS, 0, 10))).containsExactly("1:m1", "4:m4");
        assertThat(texts(store().read(AUDIT, 0, 10))).containsExactly("3:m3");
        assertThat(texts(store().read(ORDERS_IN_OTHER_VHOST, 0, 10))).containsExactly("3:m3");
        assertThat(store().queues()).containsExactlyInAnyOrder(ORDERS, AUDIT, ORDERS_IN_OTHER_VHOST);
        assertThat(store().count(ORDERS)).isEqualTo(2);
        assertThat(store().highestMessageId()).isEqualTo(5);
        assertBodyCount(3);
        assertThat(ContractSupport.describe(store().definitions().all()))
                .containsExactly("VHOST /=v", "QUEUE /orders=q2", "QUEUE /audit=q");
        assertThat(ContractSupport.describeRetained(store().retained().all())).containsExactly("/ a/b=r2");
        assertThat(ContractSupport.describeSessions(store().sessions().all())).containsExactly("/ c1=s1");

        // References still count after reopen: the shared body goes only with its last reference.
        await(store().remove(AUDIT, 3));
        assertThat(texts(store().read(ORDERS_IN_OTHER_VHOST, 0, 10))).containsExactly("3:m3");
        await(store().remove(ORDERS_IN_OTHER_VHOST, 3));
        await(store().append(message(6), List.of(AUDIT)));
        reopenStore();
        assertThat(store().queues()).containsExactlyInAnyOrder(ORDERS, AUDIT);
        assertThat(texts(store().read(AUDIT, 0, 10))).containsExactly("6:m6");
        assertBodyCount(3);
    }

    @Test
    default void highestIdSurvivesReopenWhenEveryMessageIsGone() {
        assumeThat(durable()).as("store keeps data across reopen").isTrue();
        await(store().append(message(41), List.of(ORDERS)));
        await(store().append(message(42), List.of()));
        await(store().removeQueue(ORDERS));

        reopenStore();

        assertThat(store().queues()).isEmpty();
        assertThat(store().highestMessageId()).isEqualTo(42);
        assertBodyCount(0);
    }
}
