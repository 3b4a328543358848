package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An idle quorum queue's messages expire on time (RabbitMQ's quorum queues expire a message on a timer once it is
 * at the head and past x-message-ttl, "Time-To-Live and Expiration"), not at the queue's next command: the leader's
 * {@link ExpiryTimer} proposes an expiry through the log when the head is due, and every replica applying that
 * entry drops the same messages, judged by the time the entry carries. Here the "log" is three
 * {@link RecordingReplica}s fed the same entries; the first reports to the timer, as the leader's replica does.
 */
@Timeout(60)
class QuorumExpiryTimerTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String PUBLISHER = "n2/5/";
    private static final String LEADER = "n1/7/";
    private static final RaftGroupId GROUP = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(new byte[] {1}));

    private final List<RecordingReplica> replicas = new ArrayList<>();
    private final AtomicInteger proposals = new AtomicInteger();
    /** Proposes as a leader's node does: one entry at its clock, applied by every replica in the same order. */
    private final ExpiryTimer timer = new ExpiryTimer(System::currentTimeMillis, (group, queue) -> {
        proposals.incrementAndGet();
        return CompletableFuture.completedFuture(applyToAll(QuorumCommand.expire(queue, LEADER),
                System.currentTimeMillis()));
    });
    private final ExpiryTimer.HeadExpiries leader = timer.forGroup(GROUP);

    QuorumExpiryTimerTest() {
        replicas.add(new RecordingReplica(leader));
        replicas.add(new RecordingReplica());
        replicas.add(new RecordingReplica());
    }

    @AfterEach
    void close() {
        timer.close();
    }

    private synchronized long applyToAll(QuorumCommand c, long time) {
        long first = replicas.get(0).apply(c, time);
        for (RecordingReplica r : replicas.subList(1, 3)) {
            assertThat(r.apply(c, time)).isEqualTo(first);
        }
        return first;
    }

    private synchronized List<String> seen(int replica) {
        return new ArrayList<>(replicas.get(replica).seen);
    }

    private synchronized int ready(int replica) {
        return replicas.get(replica).machine.readyCount(Q);
    }

    private void declare(long ttl) {
        declare(ttl, System.currentTimeMillis());
    }

    private void declare(long ttl, long time) {
        applyToAll(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(-1, -1, false, ttl).encode(false)), time);
    }

    private void publish(String body, long publishedAt) {
        applyToAll(QuorumCommand.enqueue(Q, PUBLISHER, body.getBytes(StandardCharsets.UTF_8), body.length(),
                publishedAt), System.currentTimeMillis());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /**
     * Two messages published 500 ms apart into a queue with a TTL of 1 s, and nothing after: each leaves when its
     * time comes, through one entry each, dead-lettered (reason expired) by the node that proposed it, on every
     * replica alike.
     */
    @Test
    void anIdleQueuesMessagesExpireOnTheLeadersTimerThroughTheLogOnEveryReplica() throws Exception {
        leader.leading(true);
        declare(1_000);
        long now = System.currentTimeMillis();
        publish("m1", now);
        publish("m2", now + 500);
        assertThat(ready(0)).isEqualTo(2);

        await("both expired on every replica", () -> ready(0) == 0 && ready(1) == 0 && ready(2) == 0);
        List<String> expected = List.of("dead:" + LEADER + ":m1:expired", "dead:" + LEADER + ":m2:expired");
        for (int i = 0; i < 3; i++) {
            assertThat(seen(i)).isEqualTo(expected);
        }
        assertThat(proposals.get()).isEqualTo(2);
        assertThat(timer.pending()).isZero();
    }

    /** A member that does not lead proposes nothing; once it leads, it proposes what is due. */
    @Test
    void onlyTheLeaderProposesAndANewLeaderTakesTheTimesOver() throws Exception {
        declare(100);
        publish("m1", System.currentTimeMillis());
        Thread.sleep(400);
        assertThat(proposals.get()).isZero();
        assertThat(ready(0)).isEqualTo(1);

        leader.leading(true);
        await("expired once the member leads", () -> ready(0) == 0);
        assertThat(seen(1)).containsExactly("dead:" + LEADER + ":m1:expired");
        assertThat(proposals.get()).isEqualTo(1);
    }

    /** One timer per queue however many messages wait; losing the lead or deleting the queue cancels it. */
    @Test
    void oneTimerPerQueueCancelledOnLosingTheLeadAndOnDeletion() throws Exception {
        leader.leading(true);
        declare(60_000);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 50; i++) {
            publish("m" + i, now + i);
        }
        assertThat(timer.pending()).isEqualTo(1);
        leader.leading(false);
        assertThat(timer.pending()).isZero();
        leader.leading(true);
        assertThat(timer.pending()).isEqualTo(1);
        applyToAll(QuorumCommand.of(QuorumCommand.Op.DELETE, Q), System.currentTimeMillis());
        assertThat(timer.pending()).isZero();
        assertThat(proposals.get()).isZero();
    }

    /** A consumer takes the head before it expires: the timer follows the new head, and nothing is expired. */
    @Test
    void aHeadThatLeavesFirstMovesTheTimer() throws Exception {
        leader.leading(true);
        declare(60_000);
        publish("m1", System.currentTimeMillis());
        assertThat(timer.pending()).isEqualTo(1);
        applyToAll(QuorumCommand.consumer(QuorumCommand.Op.CHECKOUT, Q, "n3/1/1", 1), System.currentTimeMillis());
        assertThat(timer.pending()).isZero();
        assertThat(proposals.get()).isZero();
        assertThat(seen(0)).containsExactly("n3/1/1:m1");
    }

    /** The expiry entry is judged by the time it carries, not by when a replica applies it. */
    @Test
    void anExpiryEntryExpiresWhatIsDueAtItsLoggedTime() {
        declare(1_000, 500);
        applyToAll(QuorumCommand.enqueue(Q, PUBLISHER, "m1".getBytes(StandardCharsets.UTF_8), 2, 1_000), 1_000);
        applyToAll(QuorumCommand.enqueue(Q, PUBLISHER, "m2".getBytes(StandardCharsets.UTF_8), 2, 1_500), 1_500);
        assertThat(applyToAll(QuorumCommand.expire(Q, LEADER), 1_999)).isZero();
        assertThat(applyToAll(QuorumCommand.expire(Q, LEADER), 2_200)).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(seen(i)).containsExactly("dead:" + LEADER + ":m1:expired");
            assertThat(ready(i)).isEqualTo(1);
        }
    }
}
