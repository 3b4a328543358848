package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The republishing side of at-least-once dead-lettering (RabbitMQ "Quorum Queues", "Dead Lettering", at-least-once):
 * three replicas of a group, each on a node with its own {@link DeadLetterRelay}, apply the same entries; only the
 * leader's node publishes the pending dead letters, and settles each once confirmed; when the leader changes before
 * a confirm, the new leader's node publishes again what is still pending (a message may arrive twice, never not at
 * all); a publish its target refuses is tried again after {@link DeadLetterRelay#RETRY_MS}.
 */
@Timeout(60)
class DeadLetterRelayTest {
    private static final RaftGroupId GROUP = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(new byte[] {7}));
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String C = "n1/a/1";

    /** One node: its replica, its relay, and what the relay published and asked to settle. */
    private static final class Node {
        final String id;
        final Map<Long, CompletableFuture<Boolean>> published = new ConcurrentHashMap<>();
        final AtomicInteger publishes = new AtomicInteger();
        final ConcurrentLinkedQueue<long[]> settles = new ConcurrentLinkedQueue<>();
        /** What the next publishes answer; null: they wait. */
        volatile Boolean answer;
        final DeadLetterRelay relay;
        final QuorumStateMachine machine;
        long index;

        Node(String id) {
            this(id, null);
        }

        /** {@code makeRelay}: a relay of other settings, from this node's publisher and settler; null: defaults. */
        Node(String id, BiFunction<DeadLetterRelay.Publisher, DeadLetterRelay.Settler, DeadLetterRelay> makeRelay) {
            this.id = id;
            DeadLetterRelay.Publisher publisher = (queue, m) -> {
                publishes.incrementAndGet();
                CompletableFuture<Boolean> f = answer == null ? new CompletableFuture<>()
                        : CompletableFuture.completedFuture(answer);
                published.put(m.id(), f);
                return f;
            };
            DeadLetterRelay.Settler settler = (group, queue, ids) -> {
                settles.add(ids);
                return CompletableFuture.completedFuture((long) ids.length);
            };
            this.relay = makeRelay == null ? new DeadLetterRelay(publisher, settler)
                    : makeRelay.apply(publisher, settler);
            QuorumConsumers none = new QuorumConsumers() {
                @Override
                public void deliver(String vhost, String name, String consumer, long msg, byte[] body,
                                    int returns) {
                }

                @Override
                public void deadLetter(String vhost, String name, byte[] body, int returns) {
                }
            };
            machine = new QuorumStateMachine(new LocalEffects(id, id + "/x/", none, relay.forGroup(GROUP)));
        }

        long apply(QuorumCommand c) {
            index++;
            byte[] entry = QuorumBatch.encode(1, 0, 0, new long[] {index}, List.of(c.encode()));
            return machine.applyEntry(entry, index)[0];
        }

        void leader(String leader) {
            machine.notifyLeaderChanged(RaftGroupMemberId.valueOf(RaftPeerId.valueOf(id), GROUP),
                    RaftPeerId.valueOf(leader));
        }
    }

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(n -> n.relay.close());
    }

    private List<Node> three() {
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.add(new Node(id));
        }
        return nodes;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(20);
        }
    }

    /** Every replica applies the same commands, as the log makes them. */
    private void applyAll(QuorumCommand c) {
        nodes.forEach(n -> n.apply(c));
    }

    /** A queue dead-lettering at least once with two messages a consumer rejected (ids returned). */
    private long[] twoRejected() {
        return rejected(2);
    }

    /** A queue dead-lettering at least once with {@code count} messages a consumer rejected (ids returned). */
    private long[] rejected(int count) {
        applyAll(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1,
                new QueueLimits(100, -1, true, -1, -1, true).encode(false)));
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            QuorumCommand enqueue = QuorumCommand.enqueue(Q, "n1/x/", ("m" + i).getBytes(StandardCharsets.UTF_8),
                    2, 1);
            for (Node n : nodes) {
                ids[i] = n.apply(enqueue);
            }
        }
        applyAll(QuorumCommand.attach(Q, C, 0, 0));
        applyAll(QuorumCommand.consumer(QuorumCommand.Op.REJECT, Q, C, 0, ids));
        return ids;
    }

    /**
     * at-least-once dead-lettering: the leader's node alone publishes; its confirms never come (it dies), the leader
     * changes, and the new leader's node publishes both again; once confirmed it settles them, and the settle,
     * applied everywhere, empties every replica's pending set.
     */
    @Test
    void aNewLeaderPublishesAgainWhatIsStillPending() throws Exception {
        three();
        long[] ids = twoRejected();
        nodes.forEach(n -> n.leader("n1"));
        await("n1 published both", () -> nodes.get(0).published.size() == 2);
        Thread.sleep(200);
        assertThat(nodes.get(1).publishes.get()).as("a follower publishes nothing").isZero();
        assertThat(nodes.get(2).publishes.get()).isZero();

        nodes.get(0).relay.close(); // n1 dies before its targets confirmed
        nodes.get(1).answer = true;
        nodes.forEach(n -> n.leader("n2"));
        await("n2 settled both", () -> nodes.get(1).settles.size() == 2);
        assertThat(nodes.get(1).published.keySet()).containsExactlyInAnyOrder(ids[0], ids[1]);
        assertThat(nodes.get(2).publishes.get()).isZero();

        for (long[] settled : nodes.get(1).settles) {
            applyAll(QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, Q, "n2/x/", 0, settled));
        }
        for (Node n : nodes) {
            assertThat(n.machine.deadLetterCount(Q)).isZero();
        }
        assertThat(nodes.get(1).relay.pending()).isZero();
        assertThat(nodes.get(2).relay.pending()).isZero();
    }

    /**
     * A dead letter its target refuses (no exchange, no queue bound) stays pending and is published again after the
     * retry interval, until it is confirmed; then it is settled once.
     */
    @Test
    void aRefusedDeadLetterIsTriedAgainUntilConfirmed() throws Exception {
        nodes.add(new Node("n1"));
        Node n = nodes.get(0);
        n.answer = false;
        long[] ids = twoRejected();
        n.leader("n1");
        await("both refused once", () -> n.publishes.get() >= 2);
        assertThat(n.settles).isEmpty();
        n.answer = true;
        long before = System.nanoTime();
        await("both settled", () -> n.settles.size() == 2);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before))
                .isLessThan(DeadLetterRelay.RETRY_MS + 2_000);
        assertThat(n.settles.stream().map(s -> s[0]).toList()).containsExactlyInAnyOrder(ids[0], ids[1]);
        assertThat(n.relay.pending()).isEqualTo(2); // until the settles are applied
        for (long[] settled : n.settles) {
            n.apply(QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, Q, "n1/x/", 0, settled));
        }
        assertThat(n.relay.pending()).isZero();
    }

    /**
     * While a queue's dead letters are refused, one of them probes each interval and the others wait behind it, so
     * twenty refused messages cost one publish per retry, not twenty; once the probe goes through, all follow.
     */
    @Test
    void refusedDeadLettersWaitBehindOneProbe() throws Exception {
        nodes.add(new Node("n1"));
        Node n = nodes.get(0);
        n.answer = false;
        rejected(20);
        n.leader("n1");
        await("all refused once", () -> n.publishes.get() >= 20);
        Thread.sleep(DeadLetterRelay.RETRY_MS + 1_000);
        // One probe per interval (a second one only if this machine stalled past the next interval).
        assertThat(n.publishes.get()).as("publishes after one retry interval").isBetween(21, 22);
        n.answer = true;
        await("all settled", () -> n.settles.size() == 20);
    }

    /**
     * The gauge {@code junction_quorum_dead_letters_pending} reads {@link DeadLetterRelay#pendingLed}: this node's
     * share of the pending dead letters, counted only while it leads their group (every replica holds the same set,
     * so a sum over the cluster's nodes is the cluster's total). It follows the pending set up and down.
     */
    @Test
    void thePendingGaugeCountsTheLeadersShareUpAndDown() throws Exception {
        three();
        long[] ids = rejected(3);
        for (Node n : nodes) {
            assertThat(n.relay.pending()).isEqualTo(3); // waits for the relay's thread to take the news in
            assertThat(n.relay.pendingLed()).as("no node leads yet").isZero();
        }
        nodes.forEach(n -> n.leader("n1"));
        await("n1 published all three", () -> nodes.get(0).published.size() == 3);
        assertThat(nodes.stream().mapToLong(n -> n.relay.pendingLed()).toArray()).containsExactly(3, 0, 0);

        applyAll(QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, Q, "n1/x/", 0, new long[] {ids[0]}));
        assertThat(nodes.get(0).relay.pending()).isEqualTo(2);
        assertThat(nodes.get(0).relay.pendingLed()).isEqualTo(2);

        nodes.forEach(n -> n.leader("n2"));
        for (Node n : nodes) {
            n.relay.pending();
        }
        assertThat(nodes.stream().mapToLong(n -> n.relay.pendingLed()).toArray()).containsExactly(0, 2, 0);

        applyAll(QuorumCommand.consumer(QuorumCommand.Op.SETTLE_DEAD_LETTERED, Q, "n2/x/", 0,
                new long[] {ids[1], ids[2]}));
        for (Node n : nodes) {
            assertThat(n.relay.pending()).isZero();
            assertThat(n.relay.pendingLed()).isZero();
        }
    }

    /**
     * {@code cluster.dead_letter_retry_ms} and {@code cluster.dead_letter_confirm_timeout_ms} reach the relay: a
     * publish its target never answers counts as refused after the configured confirm timeout, and the refused
     * dead letter is scheduled again after the configured interval (the delay handed to the relay's executor is
     * read, not the clock).
     */
    @Test
    void theConfiguredRetryIntervalAndConfirmTimeoutAreUsed() throws Exception {
        ConcurrentLinkedQueue<Long> delays = new ConcurrentLinkedQueue<>();
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                if (delay > 0) { // execute and submit schedule with no delay
                    delays.add(unit.toMillis(delay));
                }
                return super.schedule(command, delay, unit);
            }
        };
        nodes.add(new Node("n1", (publisher, settler) -> new DeadLetterRelay(publisher, settler, 250, 100, thread)));
        Node n = nodes.get(0);
        rejected(1);
        n.leader("n1"); // n.answer is null: the target never confirms
        await("published again after the confirm timeout and the retry", () -> n.publishes.get() >= 2);
        assertThat(delays).isNotEmpty().containsOnly(250L);
    }
}
