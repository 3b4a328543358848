package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link QuorumQueueState}: the assignment every replica makes when it applies the same commands, returns counted
 * against x-delivery-limit, single active consumer, and a snapshot that reproduces the state.
 */
class QuorumQueueStateTest {

    /** What the effects said, in order: "consumer:id:body:returns" or "dead:body:returns". */
    private final List<String> seen = new ArrayList<>();
    private final QuorumEffects effects = new QuorumEffects() {
        @Override
        public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
            seen.add(consumer + ":" + id + ":" + new String(body, StandardCharsets.UTF_8) + ":" + returns);
        }

        @Override
        public void deadLettered(String queue, String consumer, byte[] body, int returns) {
            seen.add("dead:" + new String(body, StandardCharsets.UTF_8) + ":" + returns);
        }
    };

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void messagesGoRoundRobinToConsumersWithRoomInAttachOrder() {
        QuorumQueueState q = new QuorumQueueState("q");
        q.attach("a/1", 1, 0, false, 101, effects);
        q.attach("b/1", 1, 0, false, 102, effects);
        q.enqueue(10, b("m1"), effects);
        q.enqueue(11, b("m2"), effects);
        q.enqueue(12, b("m3"), effects);

        assertThat(seen).containsExactly("a/1:10:m1:0", "b/1:11:m2:0");
        assertThat(q.readyCount()).isEqualTo(1);
        q.settle("b/1", new long[] {11}, effects);
        assertThat(seen).endsWith("b/1:12:m3:0");
        q.settle("a/1", new long[] {11}, effects); // not a/1's: ignored
        assertThat(q.unsettledCount()).isEqualTo(2);
    }

    @Test
    void aReturnGoesBackToItsPlaceAndCountsUntilTheDeliveryLimitDeadLettersIt() {
        QuorumQueueState q = new QuorumQueueState("q");
        q.declare(1, false);
        q.enqueue(1, b("poison"), effects);
        q.enqueue(2, b("next"), effects);
        q.attach("a/1", 1, 0, false, 103, effects);
        q.giveBack("a/1", new long[] {1}, effects);
        q.giveBack("a/1", new long[] {1}, effects);

        assertThat(seen).containsExactly("a/1:1:poison:0", "a/1:1:poison:1", "dead:poison:2", "a/1:2:next:0");
        assertThat(q.readyCount()).isZero();
    }

    @Test
    void withSingleActiveConsumerOnlyTheFirstGetsMessagesUntilItDetaches() {
        QuorumQueueState q = new QuorumQueueState("q");
        q.declare(-1, true);
        q.attach("a/1", 1, 0, false, 104, effects);
        q.attach("b/1", 5, 0, false, 105, effects);
        q.enqueue(1, b("m1"), effects);
        q.enqueue(2, b("m2"), effects);
        assertThat(seen).containsExactly("a/1:1:m1:0");

        q.detach("a/1", true, effects);
        assertThat(seen).containsExactly("a/1:1:m1:0", "b/1:1:m1:1", "b/1:2:m2:0");
    }

    @Test
    void aNodesOldConsumersAreDetachedAndTheirMessagesReturned() {
        QuorumQueueState q = new QuorumQueueState("q");
        q.attach("n1/old/1", 0, 0, false, 106, effects);
        q.enqueue(1, b("m1"), effects);
        q.attach("n1/new/1", 0, 0, false, 107, effects);
        q.detachAll("n1/", "n1/new/", 0, effects);

        assertThat(seen).containsExactly("n1/old/1:1:m1:0", "n1/new/1:1:m1:1");
        assertThat(q.consumerCount()).isEqualTo(1);
    }

    @Test
    void consumersOfANodeGoneSilentAreDetachedButNotThoseItAttachedLater() {
        QuorumQueueState q = new QuorumQueueState("q");
        q.attach("n2/x/1", 0, 0, false, 5, effects);
        q.enqueue(6, b("m1"), effects);
        q.attach("n2/x/2", 0, 0, false, 9, effects);
        q.attach("n3/y/1", 0, 0, false, 10, effects);
        q.detachAll("n2/", "", 8, effects);

        assertThat(seen).containsExactly("n2/x/1:6:m1:0", "n2/x/2:6:m1:1");
        assertThat(q.consumerCount()).isEqualTo(2);
    }

    @Test
    void aSnapshotReproducesTheState() throws Exception {
        QuorumQueueState q = new QuorumQueueState("q");
        q.declare(3, false);
        q.attach("a/1", 1, 0, false, 108, effects);
        q.enqueue(1, b("m1"), effects);
        q.enqueue(2, b("m2"), effects);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            q.write(out);
        }
        QuorumQueueState copy = QuorumQueueState.read("q",
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        seen.clear();

        copy.settle("a/1", new long[] {1}, effects);
        assertThat(seen).containsExactly("a/1:2:m2:0");
        assertThat(copy.readyCount()).isZero();
        assertThat(copy.unsettledCount()).isEqualTo(1);
    }

    @Test
    void commandsSurviveEncoding() {
        QuorumCommand c = QuorumCommand.consumer(QuorumCommand.Op.RETURN, QuorumCommand.queueKey("/", "q"), "n1/x/1",
                7, 3, 4);
        QuorumCommand back = QuorumCommand.decode(c.encode());
        assertThat(back.op()).isEqualTo(QuorumCommand.Op.RETURN);
        assertThat(back.queue()).isEqualTo("/\0q");
        assertThat(back.consumer()).isEqualTo("n1/x/1");
        assertThat(back.number()).isEqualTo(7);
        assertThat(back.ids()).containsExactly(3, 4);
        assertThat(QuorumCommand.nodeOf("n1/x/1")).isEqualTo("n1");
    }
}
