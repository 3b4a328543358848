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
 * a manual-ack consumer on n3 reads them. Five rounds, mid-stream: the leader of the queue's group (odd rounds) or
 * of the metadata group (even rounds) is killed with SIGKILL, started again on its directory and ports and waited
 * for until it caught up; then another node is paused with SIGSTOP for a few seconds and resumed. Clients whose
 * node died or stopped answering go on on the next node, publishers sending again what was not confirmed.
 *
 * <p>{@link FaultLedger} judges the outcome: every confirmed (or PUBACKed) message consumed at least once, nothing
 * consumed that was never sent, a copy delivered twice only flagged redelivered (or counted in
 * {@code x-delivery-count}), and per publisher connection the first deliveries in publish order. Nothing is timed:
 * the test waits with generous deadlines and prints how long each failover took.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterFaultTest {
    private static final String QUEUE = "fault.qq";
    private static final int ROUNDS = 5;
    private static final long PAUSE_MS = 5_000;

    @TempDir
    Path dir;

    @Test
    void everyConfirmedMessageIsConsumedThroughKilledLeadersAndPausedNodes() throws Exception {
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
            SessionLeg session = SessionLeg.NONE;
            session.start(cluster);
            try (FaultConsumer consumer = new FaultConsumer(cluster, ledger, "n3", QUEUE);
                 AmqpFaultPublisher amqp = new AmqpFaultPublisher(cluster, ledger, "A", "n1", "fault.a");
                 MqttFaultPublisher mqtt = new MqttFaultPublisher(cluster, ledger, "B", "n2", "fault/b")) {
                List<FaultClient> publishers = List.of(amqp, mqtt);
                consumer.start();
                amqp.start();
                mqtt.start();
                awaitProgress("the first confirms", publishers, consumer);
                for (int round = 1; round <= ROUNDS; round++) {
                    boolean queueGroup = round % 2 == 1;
                    String victim = queueGroup ? cluster.queueLeader(QUEUE) : cluster.metadataLeader();
                    long killed = System.nanoTime();
                    cluster.kill(victim);
                    String leader = queueGroup ? cluster.queueLeader(QUEUE) : cluster.metadataLeader();
                    long elected = System.nanoTime();
                    awaitProgress("progress with " + victim + " killed", publishers, consumer);
                    long goingOn = System.nanoTime();
                    cluster.start(victim);
                    cluster.awaitCaughtUp(victim);
                    long caughtUp = System.nanoTime();
                    session.afterRestart(victim);

                    // A node other than the one just restarted: the queue group's leader now, unless that is it.
                    String queueLeader = cluster.queueLeader(QUEUE);
                    String stopped = !queueLeader.equals(victim) ? queueLeader
                            : cluster.live().stream().filter(id -> !id.equals(victim)).findFirst().orElseThrow();
                    long pausedAt = System.nanoTime();
                    cluster.pause(stopped);
                    Thread.sleep(PAUSE_MS); // publishing and consuming go on meanwhile
                    cluster.resume(stopped);
                    awaitProgress("progress after " + stopped + " resumed", publishers, consumer);
                    long resumedGoingOn = System.nanoTime();
                    cluster.awaitCaughtUp(stopped);
                    timings.add(String.format("round %d: killed %s leader %s, new leader %s in %d ms, clients "
                            + "going on in %d ms, restarted and caught up in %d ms; paused %s for %d ms, clients going "
                            + "on %d ms after the pause began", round, queueGroup ? "queue group" : "metadata", victim,
                            leader, ms(killed, elected), ms(killed, goingOn), ms(goingOn, caughtUp), stopped,
                            PAUSE_MS, ms(pausedAt, resumedGoingOn)));
                }
                awaitProgress("confirms after the last round", publishers, consumer);
                amqp.close();
                mqtt.close();
                ProcessCluster.await("every confirmed message consumed", ledger::allConfirmedDelivered);
                Thread.sleep(1000); // late duplicates, if any, are counted too
                consumer.close();
                timings.add("connections: publisher A " + amqp.connections() + ", publisher B " + mqtt.connections()
                        + ", consumer " + consumer.connections());
            }
            session.verify();
        } finally {
            timings.forEach(System.out::println);
            System.out.println("ClusterFaultTest: " + ledger.verdict());
        }
        FaultLedger.Verdict v = ledger.verdict();
        assertThat(v.confirmed()).as("messages confirmed").isGreaterThan(0);
        assertThat(v.lost()).as("confirmed messages never consumed").isEmpty();
        assertThat(v.phantoms()).as("deliveries of copies never sent").isEmpty();
        assertThat(v.unflaggedDuplicates()).as("copies delivered again without the redelivered flag").isEmpty();
        assertThat(v.disorder()).as("first deliveries out of publish order").isEmpty();
    }

    /** Waits until every publisher confirmed one more batch and the consumer got one more delivery. */
    private static void awaitProgress(String what, List<FaultClient> publishers, FaultClient consumer)
            throws Exception {
        List<Long> before = new ArrayList<>();
        publishers.forEach(p -> before.add(p.progress()));
        long consumed = consumer.progress();
        ProcessCluster.await(what, () -> {
            for (int i = 0; i < publishers.size(); i++) {
                if (publishers.get(i).progress() <= before.get(i)) {
                    return false;
                }
            }
            return consumer.progress() > consumed;
        });
    }

    private static long ms(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    /**
     * Where issue 17's persistent MQTT session leg plugs in: a session with subscriptions, its queued QoS 1
     * messages and in-flight state, resuming on another node after its node was killed or paused. MQTT sessions on
     * quorum queues are built separately (docs/cluster.md, "MQTT sessions"); until they are, this leg is
     * {@link #NONE} and checks nothing. An implementation starts its client and publisher in {@link #start},
     * reconnects the session to another node in {@link #afterRestart}, and in {@link #verify} asserts that every
     * PUBACKed message reached the session at least once.
     */
    interface SessionLeg {
        SessionLeg NONE = new SessionLeg() {
        };

        default void start(ProcessCluster cluster) throws Exception {
        }

        default void afterRestart(String restarted) throws Exception {
        }

        default void verify() throws Exception {
        }
    }
}
