package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single active consumer with consumer priorities on a replicated quorum queue (RabbitMQ "Consumers", Single Active
 * Consumer, and "Quorum Queues in 4.0", consumer priorities combined with single active consumer): the consumer of
 * the highest priority is the active one, the earliest attached among equals; a consumer of higher priority than
 * the active one takes over once the active one has settled every message it holds, and until then neither is given
 * a message; when the active one detaches, the highest remaining takes over. The choice follows from the applied
 * commands alone, so every replica makes it at the same entry, and the snapshot carries it.
 */
class QuorumSingleActivePriorityTest {
    private static final String Q = QuorumCommand.queueKey("/", "sac");
    private static final String ORIGIN = "n1/7/";
    private static final String LOW = "n1/7/1";
    private static final String MID = "n3/8/1";
    private static final String HIGH = "n2/9/1";

    @TempDir
    Path dir;

    private static QuorumCommand declareSingleActive() {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, QueueLimits.NONE.encode(true));
    }

    private static QuorumCommand enqueue(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return QuorumCommand.enqueue(Q, ORIGIN, b, b.length, 0);
    }

    private static QuorumCommand settle(String consumer, long id) {
        return QuorumCommand.consumer(QuorumCommand.Op.SETTLE, Q, consumer, 0, id);
    }

    private static QuorumCommand giveBack(String consumer, long id) {
        return QuorumCommand.consumer(QuorumCommand.Op.RETURN, Q, consumer, 0, id);
    }

    /** A detach that returns the consumer's unsettled messages (its channel closed). */
    private static QuorumCommand detach(String consumer) {
        return QuorumCommand.consumer(QuorumCommand.Op.DETACH, Q, consumer, 1);
    }

    /** Of three consumers attached before any message, the highest priority is the only one given messages. */
    @Test
    void theConsumerOfTheHighestPriorityIsTheActiveOne() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, LOW, 0, 0)); // attached first: the earliest would have been active before
        r.apply(QuorumCommand.attach(Q, HIGH, 0, 10));
        r.apply(QuorumCommand.attach(Q, MID, 0, 5));
        for (String m : List.of("m1", "m2", "m3")) {
            r.apply(enqueue(m));
        }
        assertThat(r.seen).containsExactly(HIGH + ":m1", HIGH + ":m2", HIGH + ":m3");
    }

    /**
     * The low-priority consumer is active and holds m1 and m2 when a high-priority one attaches: m3 goes to neither
     * while the low one holds a message (a settle of m1 is not enough); once it has returned m2 the high one is
     * active and gets m2, in its place, then m3 and m4. The low one gets nothing more.
     */
    @Test
    void aHigherPriorityConsumerTakesOverOnlyOnceTheActiveOneHasSettledWhatItHolds() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, LOW, 5, 0));
        long m1 = r.apply(enqueue("m1"));
        long m2 = r.apply(enqueue("m2"));
        assertThat(r.seen).containsExactly(LOW + ":m1", LOW + ":m2");

        r.apply(QuorumCommand.attach(Q, HIGH, 5, 10));
        r.apply(enqueue("m3"));
        r.apply(settle(LOW, m1));
        assertThat(r.seen).as("nothing delivered while the active one still holds m2")
                .containsExactly(LOW + ":m1", LOW + ":m2");
        assertThat(r.machine.readyCount(Q)).isEqualTo(1);

        r.apply(giveBack(LOW, m2)); // a return counts as settling: m2 goes back before m3
        r.apply(enqueue("m4"));
        assertThat(r.seen).containsExactly(LOW + ":m1", LOW + ":m2", HIGH + ":m2", HIGH + ":m3", HIGH + ":m4");
    }

    /** A consumer that holds nothing when a higher one attaches gives way at the next message. */
    @Test
    void anIdleActiveConsumerGivesWayAtOnce() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, LOW, 1, 0));
        long m1 = r.apply(enqueue("m1"));
        r.apply(settle(LOW, m1));
        r.apply(QuorumCommand.attach(Q, HIGH, 1, 10));
        r.apply(enqueue("m2"));
        assertThat(r.seen).containsExactly(LOW + ":m1", HIGH + ":m2");
    }

    /** Equal priorities never take over: the earliest attached stays active, though it is full and others idle. */
    @Test
    void amongEqualPrioritiesTheEarliestAttachedStaysActive() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, LOW, 1, 5));
        long m1 = r.apply(enqueue("m1"));
        r.apply(QuorumCommand.attach(Q, MID, 1, 5));
        r.apply(QuorumCommand.attach(Q, HIGH, 1, 5));
        r.apply(enqueue("m2")); // LOW is at its prefetch: m2 waits for it, not for another
        assertThat(r.seen).containsExactly(LOW + ":m1");
        r.apply(settle(LOW, m1));
        r.apply(enqueue("m3"));
        assertThat(r.seen).containsExactly(LOW + ":m1", LOW + ":m2");
    }

    /**
     * The active one (priority 10) detaches with m1 unsettled: of the remaining priority 0, 5 and 5, the earlier of
     * the two fives takes over and gets m1 again; when it goes too, the other five, not the zero attached first.
     */
    @Test
    void theActiveOnesDetachHandsOverToTheHighestRemainingTheEarliestAmongEquals() {
        String zero = "n1/7/9";
        String ten = "n2/9/1";
        String fiveFirst = "n3/8/1";
        String fiveSecond = "n1/7/1";
        RecordingReplica r = new RecordingReplica();
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, zero, 0, 0));
        r.apply(QuorumCommand.attach(Q, ten, 0, 10));
        r.apply(QuorumCommand.attach(Q, fiveFirst, 0, 5));
        r.apply(QuorumCommand.attach(Q, fiveSecond, 0, 5));
        r.apply(enqueue("m1"));
        r.apply(detach(ten));
        r.apply(detach(fiveFirst));
        assertThat(r.seen).containsExactly(ten + ":m1", fiveFirst + ":m1", fiveSecond + ":m1");
    }

    /**
     * The first half of a switch-over: LOW (prefetch 2) holds m1 and m2, MID and then HIGH attach, m3 waits. Returns
     * the ids of m1 and m2.
     */
    private static long[] switchOver(RecordingReplica r) {
        r.apply(declareSingleActive());
        r.apply(QuorumCommand.attach(Q, LOW, 2, 0));
        long m1 = r.apply(enqueue("m1"));
        long m2 = r.apply(enqueue("m2"));
        r.apply(QuorumCommand.attach(Q, MID, 3, 5));
        r.apply(enqueue("m3"));
        r.apply(QuorumCommand.attach(Q, HIGH, 2, 10));
        return new long[] {m1, m2};
    }

    /** The second half: LOW settles both, m4 comes, HIGH leaves with m3 and m4 unsettled, m5 comes. */
    private static void finish(RecordingReplica r, long[] held) {
        r.apply(settle(LOW, held[0]));
        r.apply(settle(LOW, held[1]));
        r.apply(enqueue("m4"));
        r.apply(detach(HIGH));
        r.apply(enqueue("m5"));
    }

    /**
     * Two replicas fed the same entries through the log's encoding switch at the same entry and deliver alike, and
     * a third restored from a snapshot taken while the low one still held its messages (the high one waiting) goes
     * on alike: the snapshot carries which consumer is active.
     */
    @Test
    void everyReplicaAndASnapshotMakeTheSameChoice() throws Exception {
        RecordingReplica a = new RecordingReplica();
        RecordingReplica b = new RecordingReplica();
        long[] held = switchOver(a);
        assertThat(switchOver(b)).isEqualTo(held);
        Path file = dir.resolve("mid-switch");
        a.machine.writeSnapshot(file);
        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, a.index), false);
        restored.index = a.index;
        for (RecordingReplica r : List.of(a, b, restored)) {
            finish(r, held);
        }
        // m3 waited while LOW held m1 and m2; then HIGH (not MID, attached earlier) took it and m4; once HIGH left,
        // MID took over with m3 and m4 returned, then m5.
        assertThat(a.seen).containsExactly(LOW + ":m1", LOW + ":m2", HIGH + ":m3", HIGH + ":m4", MID + ":m3",
                MID + ":m4", MID + ":m5");
        assertThat(b.seen).isEqualTo(a.seen);
        assertThat(restored.seen).containsExactly(HIGH + ":m3", HIGH + ":m4", MID + ":m3", MID + ":m4", MID + ":m5");
        Path fromA = dir.resolve("a");
        Path fromRestored = dir.resolve("restored");
        a.machine.writeSnapshot(fromA);
        restored.machine.writeSnapshot(fromRestored);
        assertThat(Files.readAllBytes(fromRestored)).isEqualTo(Files.readAllBytes(fromA));
    }

    /**
     * A snapshot in an earlier format (first number -4, consumers with priorities, no x-expires) with a single
     * active consumer queue: the earliest attached, priority 0, holding m1, is active as it was, and a priority-10
     * consumer in the snapshot waits for it to settle m1 before it gets m2.
     */
    @Test
    void aSnapshotInAnEarlierFormatLoadsItsActiveConsumerAsItWas() throws Exception {
        long m1 = 1024;
        byte[] body = "m1".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(-4); // consumers carry priorities; queues carry no x-expires, no dead letters pending
            out.writeLong(1_000); // the log's clock
            out.writeInt(1); // queues
            out.writeUTF(Q);
            out.writeLong(-1); // delivery limit
            out.writeBoolean(true); // single active consumer
            out.writeLong(-1); // limits: max length, max bytes, reject-publish, TTL
            out.writeLong(-1);
            out.writeBoolean(false);
            out.writeLong(-1);
            out.writeInt(0); // ready
            out.writeInt(2); // consumers, in the round's order
            consumer(out, LOW, 1, 0);
            consumer(out, HIGH, 0, 10);
            out.writeInt(1); // checked out: the consumer, then the message
            out.writeUTF(LOW);
            out.writeLong(m1);
            out.writeInt(0); // returns
            out.writeInt(body.length);
            out.write(body);
            out.writeLong(body.length); // size
            out.writeLong(0); // published at
            out.writeLong(-1); // its own expiry: none
            out.writeInt(0); // resend filter: origins
        }
        Path file = dir.resolve("old");
        Files.write(file, bytes.toByteArray());

        RecordingReplica r = new RecordingReplica();
        r.machine.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        r.index = 1;
        r.apply(enqueue("m2"));
        assertThat(r.seen).as("the active one still holds m1").isEmpty();
        r.apply(settle(LOW, m1));
        r.apply(enqueue("m3"));
        assertThat(r.seen).containsExactly(HIGH + ":m2", HIGH + ":m3");
    }

    /** A consumer as a snapshot writes it: id, prefetch (unlimited), attached at, in flight, priority. */
    private static void consumer(DataOutputStream out, String id, long inFlight, long priority)
            throws java.io.IOException {
        out.writeUTF(id);
        out.writeLong(0);
        out.writeLong(5);
        out.writeLong(inFlight);
        out.writeLong(priority);
    }
}
