package dev.junction.routing;

import static dev.junction.routing.EngineFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.queue.Queue;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vhost's index of exclusive queues by owning connection: closing a connection removes exactly its own
 * exclusive queues (AMQP {@code exclusive}), and queues that left the vhost earlier leave the index with them, so
 * it neither deletes a later queue of the same name nor keeps closed connections alive.
 */
class ExclusiveQueuesTest {
    private final EngineFixture f = new EngineFixture();
    private final Object owner = new Object();
    private final Object other = new Object();

    @AfterEach
    void close() {
        f.close();
    }

    private Queue exclusive(String name, Object by) {
        return f.vhost.declareQueue(new QueueSpec(name, false, true, false, Map.of()), by, false);
    }

    @Test
    void closingAnOwnerRemovesItsExclusiveQueuesAndNoOthers() {
        exclusive("a1", owner);
        exclusive("a2", owner);
        Queue theirs = exclusive("b1", other);
        Queue shared = f.declare("shared");

        f.vhost.ownerClosed(owner);

        assertThat(f.vhost.queue("a1")).isEmpty();
        assertThat(f.vhost.queue("a2")).isEmpty();
        assertThat(f.vhost.queue("b1")).contains(theirs);
        assertThat(f.vhost.queue("shared")).contains(shared);
    }

    @Test
    void aQueueDeletedBeforeItsOwnerClosesIsNotTakenForALaterQueueOfTheSameName() {
        exclusive("x", owner);
        await(f.vhost.deleteQueue("x", false, false, owner));
        Queue again = exclusive("x", other);

        f.vhost.ownerClosed(owner);

        assertThat(f.vhost.queue("x")).contains(again);
        f.vhost.ownerClosed(other);
        assertThat(f.vhost.queue("x")).isEmpty();
    }

    @Test
    void anOwnerLeavesTheIndexWithItsLastQueueOrWhenItCloses() {
        ExclusiveQueues index = new ExclusiveQueues();
        Queue a = exclusive("a", owner);
        Queue b = exclusive("b", owner);
        Queue c = exclusive("c", other);
        index.added(a);
        index.added(b);
        index.added(c);
        index.added(f.declare("not-exclusive"));
        assertThat(index.owners()).isEqualTo(2);

        index.removed(a);
        index.removed(b);
        assertThat(index.owners()).as("an owner whose queues were all deleted is not held").isEqualTo(1);
        assertThat(index.release(owner)).isEmpty();

        assertThat(index.release(other)).containsExactly(c);
        assertThat(index.owners()).isZero();
        index.removed(c);
        assertThat(index.release(other)).isEmpty();
    }
}
