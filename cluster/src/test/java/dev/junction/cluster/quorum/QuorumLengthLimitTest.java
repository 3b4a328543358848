package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * x-max-length, x-max-length-bytes and x-overflow on a replicated quorum queue (RabbitMQ "Queue Length Limit":
 * drop-head, the default, drops or dead-letters the oldest ready messages; reject-publish refuses the publish,
 * which the publisher sees as basic.nack, AMQP 0-9-1 publisher confirms). Decided by the state machine from the
 * log alone: three replicas applying the same entries reach the same state, byte for byte in their snapshots.
 */
class QuorumLengthLimitTest {
    private static final String Q = QuorumCommand.queueKey("/", "q");
    private static final String ORIGIN = "n1/7/";

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static QuorumCommand declare(QueueLimits limits) {
        return QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, limits.encode(false));
    }

    private static QuorumCommand enqueue(String body) {
        return QuorumCommand.enqueue(Q, ORIGIN, b(body), body.length(), 1_000);
    }

    /** Applies the same commands to three replicas; every answer and every effect must agree. */
    private List<RecordingReplica> three(List<QuorumCommand> commands, List<Long> answers) {
        List<RecordingReplica> replicas = List.of(new RecordingReplica(), new RecordingReplica(),
                new RecordingReplica());
        for (QuorumCommand c : commands) {
            long first = replicas.get(0).apply(c);
            assertThat(replicas.get(1).apply(c)).isEqualTo(first);
            assertThat(replicas.get(2).apply(c)).isEqualTo(first);
            answers.add(first);
        }
        assertThat(replicas.get(1).seen).isEqualTo(replicas.get(0).seen);
        assertThat(replicas.get(2).seen).isEqualTo(replicas.get(0).seen);
        return replicas;
    }

    private byte[] snapshot(QuorumStateMachine m, String name) throws Exception {
        Path file = dir.resolve(name);
        m.writeSnapshot(file);
        return Files.readAllBytes(file);
    }

    private static List<QuorumCommand> tenAfter(QuorumCommand declare) {
        List<QuorumCommand> commands = new ArrayList<>(List.of(declare));
        for (int i = 1; i <= 10; i++) {
            commands.add(enqueue("m" + i));
        }
        return commands;
    }

    /** Queue Length Limit, drop-head (the default): ten into a queue of five keep the last five, on every replica. */
    @Test
    void dropHeadKeepsTheNewestAndDeadLettersTheOldestWithReasonMaxlenOnEveryReplica() throws Exception {
        List<Long> answers = new ArrayList<>();
        List<RecordingReplica> replicas = three(tenAfter(declare(new QueueLimits(5, -1, false, -1))), answers);

        assertThat(answers.subList(1, 11)).allMatch(id -> id > 0); // every publish confirmed
        assertThat(replicas.get(0).seen).containsExactly("dead:" + ORIGIN + ":m1:maxlen", "dead:" + ORIGIN
                + ":m2:maxlen", "dead:" + ORIGIN + ":m3:maxlen", "dead:" + ORIGIN + ":m4:maxlen", "dead:" + ORIGIN
                + ":m5:maxlen");
        for (RecordingReplica r : replicas) {
            assertThat(r.machine.readyCount(Q)).isEqualTo(5);
        }
        byte[] first = snapshot(replicas.get(0).machine, "a");
        assertThat(snapshot(replicas.get(1).machine, "b")).isEqualTo(first);
        assertThat(snapshot(replicas.get(2).machine, "c")).isEqualTo(first);

        RecordingReplica r = replicas.get(0);
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, "n2/9/1", 0));
        assertThat(r.seen.subList(5, r.seen.size())).containsExactly("n2/9/1:m6", "n2/9/1:m7", "n2/9/1:m8",
                "n2/9/1:m9", "n2/9/1:m10");
    }

    /** Queue Length Limit, reject-publish: the sixth is refused (nacked), the queue keeps the first five. */
    @Test
    void rejectPublishRefusesTheSixthAndKeepsTheFirstFive() {
        List<Long> answers = new ArrayList<>();
        List<RecordingReplica> replicas = three(tenAfter(declare(new QueueLimits(5, -1, true, -1))), answers);

        assertThat(answers.subList(1, 6)).allMatch(id -> id > 0);
        assertThat(answers.subList(6, 11)).containsOnly(QuorumQueueState.REFUSED);
        assertThat(replicas.get(0).seen).isEmpty(); // nothing dropped, nothing dead-lettered
        RecordingReplica r = replicas.get(0);
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, "n2/9/1", 0));
        assertThat(r.seen).containsExactly("n2/9/1:m1", "n2/9/1:m2", "n2/9/1:m3", "n2/9/1:m4", "n2/9/1:m5");
    }

    /** x-max-length-bytes counts the bodies' sizes as the enqueue carries them: 10 bytes hold five of two. */
    @Test
    void maxLengthBytesDropsTheOldestByBodySize() {
        List<Long> answers = new ArrayList<>();
        List<QuorumCommand> commands = new ArrayList<>(List.of(declare(new QueueLimits(-1, 10, false, -1))));
        for (int i = 0; i < 10; i++) {
            commands.add(enqueue("b" + i)); // two bytes each
        }
        List<RecordingReplica> replicas = three(commands, answers);

        assertThat(replicas.get(0).seen).hasSize(5).allMatch(s -> s.endsWith(":maxlen"));
        assertThat(replicas.get(0).seen.get(0)).isEqualTo("dead:" + ORIGIN + ":b0:maxlen");
        assertThat(replicas.get(0).machine.readyCount(Q)).isEqualTo(5);
    }

    /** reject-publish by bytes: a message that would take the queue past x-max-length-bytes is refused. */
    @Test
    void maxLengthBytesUnderRejectPublishRefusesWhatWouldNotFit() {
        List<Long> answers = new ArrayList<>();
        three(List.of(declare(new QueueLimits(-1, 10, true, -1)), enqueue("12345678"), enqueue("abc"),
                enqueue("xy")), answers);
        assertThat(answers.subList(1, 4)).satisfiesExactly(id -> assertThat(id).isPositive(),
                id -> assertThat(id).isEqualTo(QuorumQueueState.REFUSED), id -> assertThat(id).isPositive());
    }

    /** Limits count ready messages, as RabbitMQ's quorum queues do: a consumer's unsettled ones are not counted. */
    @Test
    void messagesCheckedOutToAConsumerDoNotCountAgainstTheLimit() {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(new QueueLimits(2, -1, false, -1)));
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, "n2/9/1", 2));
        for (int i = 1; i <= 5; i++) {
            r.apply(enqueue("m" + i));
        }
        assertThat(r.seen).containsExactly("n2/9/1:m1", "n2/9/1:m2", "dead:" + ORIGIN + ":m3:maxlen");
        assertThat(r.machine.readyCount(Q)).isEqualTo(2);
    }

    /** A declaration and enqueues written before limits were carried mean no limit. */
    @Test
    void anOldDeclarationAndOldEnqueuesMeanNoLimit() {
        RecordingReplica r = new RecordingReplica();
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.DECLARE, Q, "", -1, 0));
        for (int i = 0; i < 20; i++) {
            assertThat(r.apply(QuorumCommand.enqueue(Q, b("old" + i)))).isPositive();
        }
        assertThat(r.machine.readyCount(Q)).isEqualTo(20);
        assertThat(r.seen).isEmpty();
    }

    /** A snapshot carries the limits: restored, the queue still refuses past its limit. */
    @Test
    void aSnapshotCarriesTheLimits() throws Exception {
        RecordingReplica r = new RecordingReplica();
        r.apply(declare(new QueueLimits(2, -1, true, -1)));
        r.apply(enqueue("m1"));
        r.apply(enqueue("m2"));
        Path file = dir.resolve("snap");
        r.machine.writeSnapshot(file);

        RecordingReplica restored = new RecordingReplica();
        restored.machine.readSnapshot(file, TermIndex.valueOf(1, 3), false);
        restored.index = 3;
        assertThat(restored.apply(enqueue("m3"))).isEqualTo(QuorumQueueState.REFUSED);
        assertThat(restored.machine.readyCount(Q)).isEqualTo(2);
    }

    /** A snapshot taken before queues carried limits still reads: its messages are kept, and there is no limit. */
    @Test
    void aSnapshotWrittenBeforeLimitsStillReads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(1); // queues
            out.writeUTF(Q);
            out.writeLong(-1); // delivery limit
            out.writeBoolean(false); // single active consumer
            out.writeInt(1); // ready: id, returns, body
            out.writeLong(5);
            out.writeInt(0);
            out.writeInt(3);
            out.write(b("old"));
            out.writeInt(0); // consumers
            out.writeInt(0); // checked out
        }
        Path file = dir.resolve("old");
        Files.write(file, bytes.toByteArray());

        RecordingReplica r = new RecordingReplica();
        r.machine.readSnapshot(file, TermIndex.valueOf(1, 1), false);
        r.index = 1;
        assertThat(r.machine.readyCount(Q)).isEqualTo(1);
        r.apply(enqueue("new"));
        r.apply(QuorumCommand.consumer(QuorumCommand.Op.ATTACH, Q, "n2/9/1", 0));
        assertThat(r.seen).containsExactly("n2/9/1:old", "n2/9/1:new");
    }

    /** The declaration's limits survive the command's encoding. */
    @Test
    void theLimitsSurviveTheDeclarationsEncoding() {
        QueueLimits limits = new QueueLimits(5, 100, true, 60_000);
        QuorumCommand back = QuorumCommand.decode(declare(limits).encode());
        assertThat(QueueLimits.declared(back.ids())).isEqualTo(limits);
        assertThat(QueueLimits.declared(new long[] {1})).isEqualTo(QueueLimits.NONE);
    }

    /** A queue's state round-trips through its own encoding with its limits and sizes. */
    @Test
    void aQueuesStateRoundTripsWithItsLimits() throws Exception {
        QuorumQueueState q = new QuorumQueueState(Q);
        q.declare(-1, false, new QueueLimits(-1, 4, false, -1));
        q.enqueue(1, b("ab"), 2, 1_000, -1, ORIGIN, QuorumEffects.NONE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            q.write(out);
        }
        QuorumQueueState copy = QuorumQueueState.read(Q, new DataInputStream(new ByteArrayInputStream(
                bytes.toByteArray())));
        assertThat(copy.limits()).isEqualTo(q.limits());
        copy.enqueue(2, b("cd"), 2, 1_000, -1, ORIGIN, QuorumEffects.NONE);
        copy.enqueue(3, b("ef"), 2, 1_000, -1, ORIGIN, QuorumEffects.NONE); // 6 bytes: the oldest goes
        assertThat(copy.readyCount()).isEqualTo(2);
    }
}
