package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's fault test, on three broker processes of the packaged jar: a confirming AMQP 0-9-1 publisher on node
 * n1 and an MQTT 5 QoS 1 publisher on n2 write numbered messages to a quorum queue bound to {@code amq.topic}, and
 * a manual-ack consumer on n3 reads them; a persistent MQTT session ({@link MqttSessionLeg}) is subscribed at QoS 1
 * to both publishers' topics. Five rounds, mid-stream: the leader of the queue's group (odd rounds) or of the
 * metadata group (even rounds) is killed with SIGKILL, started again on its directory and ports and waited for
 * until it caught up; then another node is paused with SIGSTOP for a few seconds and resumed. The session is sent to
 * each of these nodes before its fault, so it loses its node twice a round and resumes on another. Clients whose
 * node died or stopped answering go on on the next node, publishers sending again what was not confirmed.
 *
 * <p>{@link FaultLedger} judges the outcome for the queue's consumer and for the session alike: every confirmed (or
 * PUBACKed) message received at least once, nothing received that was never sent, a copy delivered twice only
 * flagged (redelivered or counted in {@code x-delivery-count}; MQTT DUP), and per publisher connection the first
 * deliveries in publish order; every resumed session is present. Nothing is timed: the test waits with generous
 * deadlines and prints how long each failover took. The same clients and judgement also go through a rolling
 * restart (issue 17's operations: one node at a time stopped gracefully and started again).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterFaultTest {
    private static final String QUEUE = "fault.qq";
    private static final int ROUNDS = 5;
    private static final long PAUSE_MS = 5_000;

    @TempDir
    Path dir;
    private MqttSessionLeg session;

    /** What a scenario does to the cluster while the clients run; {@code progress} waits for all of them to go on. */
    @FunctionalInterface
    private interface Faults {
        void apply(ProcessCluster cluster, MqttSessionLeg subscriber, Progress progress, List<String> timings)
                throws Exception;
    }

    @FunctionalInterface
    private interface Progress {
        void await(String what) throws Exception;
    }

    @Test
    void everyConfirmedMessageIsConsumedThroughKilledLeadersAndPausedNodes() throws Exception {
        run(ROUNDS, (cluster, subscriber, progress, timings) -> {
            for (int round = 1; round <= ROUNDS; round++) {
                boolean queueGroup = round % 2 == 1;
                String victim = queueGroup ? cluster.queueLeader(QUEUE) : cluster.metadataLeader();
                long following = System.nanoTime();
                subscriber.follow(victim);
                long killed = System.nanoTime();
                cluster.kill(victim);
                String leader = queueGroup ? cluster.queueLeader(QUEUE) : cluster.metadataLeader();
                long elected = System.nanoTime();
                progress.await("progress with " + victim + " killed");
                long goingOn = System.nanoTime();
                cluster.start(victim);
                cluster.awaitCaughtUp(victim);
                long caughtUp = System.nanoTime();

                // A node other than the one just restarted: the queue group's leader now, unless that is it.
                String queueLeader = cluster.queueLeader(QUEUE);
                String stopped = !queueLeader.equals(victim) ? queueLeader
                        : cluster.live().stream().filter(id -> !id.equals(victim)).findFirst().orElseThrow();
                subscriber.follow(stopped);
                long pausedAt = System.nanoTime();
                long moves = ms(following, killed) + ms(caughtUp, pausedAt);
                cluster.pause(stopped);
                Thread.sleep(PAUSE_MS); // publishing and consuming go on meanwhile
                cluster.resume(stopped);
                progress.await("progress after " + stopped + " resumed");
                long resumedGoingOn = System.nanoTime();
                cluster.awaitCaughtUp(stopped);
                timings.add(String.format("round %d: killed %s leader %s, new leader %s in %d ms, clients "
                        + "going on in %d ms, restarted and caught up in %d ms; paused %s for %d ms, clients going "
                        + "on %d ms after the pause began; the MQTT session sent to both in %d ms", round,
                        queueGroup ? "queue group" : "metadata", victim, leader, ms(killed, elected),
                        ms(killed, goingOn), ms(goingOn, caughtUp), stopped, PAUSE_MS,
                        ms(pausedAt, resumedGoingOn), moves));
            }
        });
    }

    /**
     * A rolling restart, as an operator upgrades a cluster: each node in turn stopped gracefully (SIGTERM), the
     * clients going on on the other two, then started again and waited for until it caught up before the next one.
     * The MQTT session is sent to each node before it stops, so it resumes elsewhere three times. The same judgement
     * as for the faults: nothing confirmed lost, duplicates flagged, order per publisher, the session present.
     */
    @Test
    void everyConfirmedMessageIsConsumedThroughARollingRestart() throws Exception {
        run(ProcessCluster.IDS.length, (cluster, subscriber, progress, timings) -> {
            for (String node : ProcessCluster.IDS) {
                subscriber.follow(node);
                long stopping = System.nanoTime();
                cluster.stop(node);
                long stopped = System.nanoTime();
                progress.await("progress with " + node + " stopped");
                long goingOn = System.nanoTime();
                cluster.start(node);
                cluster.awaitCaughtUp(node);
                timings.add(String.format("rolling restart of %s: stopped in %d ms, clients going on %d ms after the "
                        + "stop began, started and caught up in %d ms", node, ms(stopping, stopped),
                        ms(stopping, goingOn), ms(goingOn, System.nanoTime())));
            }
        });
    }

    /** Runs the clients on a fresh three-node cluster through {@code faults}, then judges what they saw. */
    private void run(int failovers, Faults faults) throws Exception {
        FaultLedger ledger = new FaultLedger();
        List<String> timings = new ArrayList<>();
        try (ProcessCluster cluster = new ProcessCluster(dir)) {
            cluster.declare("n1", ch -> {
                ch.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
                ch.queueBind(QUEUE, "amq.topic", "fault.*"); // MQTT topic fault/b is routing key fault.b
            });
            for (String id : ProcessCluster.IDS) {
                cluster.declare(id, ch -> ch.queueDeclarePassive(QUEUE)); // known there, binding included
            }
            session = new MqttSessionLeg(cluster, ledger, "n1");
            try (MqttSessionLeg subscriber = session;
                 FaultConsumer consumer = new FaultConsumer(cluster, ledger, "n3", QUEUE);
                 AmqpFaultPublisher amqp = new AmqpFaultPublisher(cluster, ledger, "A", "n1", "fault.a");
                 MqttFaultPublisher mqtt = new MqttFaultPublisher(cluster, ledger, "B", "n2", "fault/b")) {
                List<FaultClient> publishers = List.of(amqp, mqtt);
                List<FaultClient> receivers = List.of(consumer, subscriber);
                Progress progress = what -> awaitProgress(what, publishers, receivers);
                subscriber.start();
                subscriber.awaitSubscribed(); // owed every message from the first
                consumer.start();
                amqp.start();
                mqtt.start();
                progress.await("the first confirms");
                faults.apply(cluster, subscriber, progress, timings);
                progress.await("confirms after the last fault");
                amqp.close();
                mqtt.close();
                ProcessCluster.await("every confirmed message consumed", ledger::allConfirmedDelivered);
                ProcessCluster.await("every confirmed message received by the MQTT session",
                        () -> ledger.allConfirmedDelivered(FaultLedger.SESSION));
                Thread.sleep(1000); // late duplicates, if any, are counted too
                consumer.close();
                subscriber.close();
                timings.add("connections: publisher A " + amqp.connections() + ", publisher B " + mqtt.connections()
                        + ", consumer " + consumer.connections() + ", MQTT session " + subscriber.connections());
            }
        } finally {
            timings.forEach(System.out::println);
            System.out.println("ClusterFaultTest: " + ledger.verdict());
            if (session != null) {
                session.failovers().forEach(f -> System.out.println("MQTT session resumed from " + f));
                System.out.println("ClusterFaultTest MQTT session: " + session.summary());
            }
        }
        FaultLedger.Verdict v = ledger.verdict();
        assertThat(v.confirmed()).as("messages confirmed").isGreaterThan(0);
        assertThat(v.lost()).as("confirmed messages never consumed").isEmpty();
        assertThat(v.phantoms()).as("deliveries of copies never sent").isEmpty();
        assertThat(v.unflaggedDuplicates()).as("copies delivered again without the redelivered flag").isEmpty();
        assertThat(v.disorder()).as("first deliveries out of publish order").isEmpty();

        FaultLedger.Verdict s = ledger.verdict(FaultLedger.SESSION);
        assertThat(session.absentSessions()).as("resumes without Session Present [MQTT-3.2.2-2]").isEmpty();
        assertThat(session.failovers()).as("the session resumed after each loss of its node")
                .hasSizeGreaterThanOrEqualTo(failovers);
        assertThat(s.lost()).as("confirmed messages the session never received").isEmpty();
        assertThat(s.phantoms()).as("messages the session received that were never sent").isEmpty();
        assertThat(s.unflaggedDuplicates()).as("copies the session received again without DUP [MQTT-3.3.1-1]")
                .isEmpty();
        assertThat(s.disorder()).as("first PUBLISHes to the session out of publish order [MQTT-4.6.0-6]").isEmpty();
        assertThat(session.notQos1()).as("PUBLISHes to the session below the granted QoS 1").isEmpty();
    }

    /** Waits until every publisher confirmed one more batch and every receiver got one more delivery. */
    private static void awaitProgress(String what, List<FaultClient> publishers, List<FaultClient> receivers)
            throws Exception {
        List<FaultClient> all = new ArrayList<>(publishers);
        all.addAll(receivers);
        List<Long> before = new ArrayList<>();
        all.forEach(c -> before.add(c.progress()));
        try {
            ProcessCluster.await(what, () -> stalled(all, before).isEmpty());
        } catch (AssertionError timedOut) {
            // Which client is stuck, and where, is what a CI failure has to say: it is not reproduced at will.
            throw new AssertionError(timedOut.getMessage() + "; no progress: " + stalled(all, before), timedOut);
        }
    }

    /** The clients that made no progress since {@code before}, each with its node and connections so far. */
    private static List<String> stalled(List<FaultClient> all, List<Long> before) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            FaultClient c = all.get(i);
            if (c.progress() <= before.get(i)) {
                out.add(c.name() + " on " + c.node() + " (" + c.connections() + " connections)");
            }
        }
        return out;
    }

    private static long ms(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }
}
