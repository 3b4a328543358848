package dev.junction.cluster.quorum;

import static dev.junction.cluster.quorum.ThreeQuorumNodes.await;
import static dev.junction.cluster.quorum.ThreeQuorumNodes.b;
import static dev.junction.cluster.quorum.ThreeQuorumNodes.done;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.quorum.QuorumLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link QuorumNode}s in one JVM: a queue's messages enqueued on one node are confirmed once a majority has
 * them and reach a consumer on another node once each and in order; returns count against x-delivery-limit and the
 * consumer's node dead-letters past it; commands asked while earlier ones commit share log entries; an idle queue's
 * message past x-message-ttl leaves on the leader's timer. These leave every node running, so they share one
 * cluster, each on a queue of its own (starting three nodes and their first elections costs seconds); what a node
 * stopped changes is {@link QuorumNodeFailoverTest}'s.
 */
@Timeout(300)
class QuorumNodeTest {
    @TempDir
    static Path dir;
    private static ThreeQuorumNodes cluster;

    @BeforeAll
    static void startThree() throws Exception {
        cluster = new ThreeQuorumNodes(dir);
    }

    @AfterAll
    static void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Each test reads only what its own commands handed the nodes; an earlier test's queues are left settled. */
    @BeforeEach
    void forgetEarlierDeliveries() {
        cluster.got.values().forEach(LinkedBlockingQueue::clear);
    }

    private static LinkedBlockingQueue<String> got(String node) {
        return cluster.got.get(node);
    }

    @Test
    void messagesEnqueuedOnOneNodeReachAConsumerOnAnotherOnceAndInOrder() throws Exception {
        QuorumNode a = cluster.get("n1");
        QuorumNode c = cluster.get("n3");
        done(a.declare("/", "qq", -1, false));
        List<CompletableFuture<Long>> confirms = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            confirms.add(a.enqueue("/", "qq", b("m" + i)));
        }
        for (CompletableFuture<Long> f : confirms) {
            assertThat(done(f)).isPositive(); // committed by a majority: the publisher confirm
        }
        String consumer = c.newConsumerId();
        done(c.attach("/", "qq", consumer, 10));
        for (int i = 0; i < 200; i++) {
            String[] d = cluster.take("n3").split(" ");
            assertThat(d[0]).isEqualTo(consumer);
            assertThat(d[2]).isEqualTo("m" + i);
            done(c.settle("/", "qq", consumer, Long.parseLong(d[1])));
        }
        assertThat(got("n3").poll(300, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
        assertThat(got("n1")).isEmpty();
        await(() -> cluster.nodes.values().stream().allMatch(n -> n.readyCount("/", "qq") == 0));
    }

    /**
     * A leader takes a client's requests one at a time, so one command per request held a node to the rate of that
     * hand-over (docs/benchmarks.md, "Quorum queues, three nodes"): commands asked while earlier ones commit must
     * go together, in far fewer log entries than commands, and still be confirmed each with its own id, in order.
     */
    @Test
    void commandsAskedWhileEarlierOnesCommitShareLogEntries() throws Exception {
        QuorumNode a = cluster.get("n1");
        done(a.declare("/", "batched", -1, false));
        int group = a.groupIndexOf("/", "batched");
        long before = highestCommitIndex(group);
        List<CompletableFuture<Long>> confirms = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            confirms.add(a.enqueue("/", "batched", b("m" + i)));
        }
        long last = 0;
        for (CompletableFuture<Long> f : confirms) {
            long id = done(f);
            assertThat(id).as("ids grow in the order asked").isGreaterThan(last);
            last = id;
        }
        // One command per request took 500 entries and more (the leader also logs each commit index it reaches).
        // Nothing else is asked of the cluster meanwhile: the tests of this class run one at a time.
        assertThat(highestCommitIndex(group) - before).isLessThan(250);
    }

    private static long highestCommitIndex(int group) {
        return cluster.nodes.values().stream().mapToLong(n -> n.groupStatus().get(group).commitIndex()).max()
                .orElseThrow();
    }

    @Test
    void returnsCountAndTheConsumersNodeDeadLettersPastTheDeliveryLimit() throws Exception {
        QuorumNode b = cluster.get("n2");
        done(b.declare("/", "poison", 2, false));
        done(cluster.get("n1").enqueue("/", "poison", b("p")));
        String consumer = b.newConsumerId();
        done(b.attach("/", "poison", consumer, 1));
        for (int returns = 0; returns <= 2; returns++) {
            String[] d = cluster.take("n2").split(" ");
            assertThat(d[3]).isEqualTo(Integer.toString(returns));
            done(b.giveBack("/", "poison", consumer, Long.parseLong(d[1])));
        }
        assertThat(cluster.take("n2")).isEqualTo("dead p 3");
        assertThat(b.readyCount("/", "poison")).isZero();
        assertThat(got("n1")).isEmpty();
        assertThat(got("n3")).isEmpty();
    }

    /**
     * RabbitMQ's quorum queues expire a message on a timer once it is at the head and past its TTL ("Time-To-Live
     * and Expiration"): with nothing more asked of the queue, its one message leaves every replica and one node
     * (the group leader's, which proposed the expiry) dead-letters it with reason expired.
     */
    @Test
    void anIdleQueuesExpiredMessageLeavesAndIsDeadLetteredOnceWithoutAnotherCommand() throws Exception {
        QuorumNode a = cluster.get("n1");
        done(a.declare("/", "ttl", -1, false, new QuorumLimits(-1, -1, false, 500)));
        done(a.enqueue("/", "ttl", b("late"), 4, System.currentTimeMillis()));
        await(() -> cluster.got.values().stream().anyMatch(q -> q.contains("dropped late expired")));
        await(() -> cluster.nodes.values().stream().allMatch(n -> n.readyCount("/", "ttl") == 0));
        Thread.sleep(300);
        assertThat(cluster.got.values().stream().mapToInt(q -> q.size()).sum()).as("dead-lettered once, nothing else")
                .isEqualTo(1);
    }

    /**
     * A follower applies an entry, and hands its message to a consumer of its node, only once it knows the entry
     * committed. Ratis's gRPC leader told it at the next heartbeat when no newer entry followed (half the election
     * timeout later); the groups' transport tells it at once. What it saves is time, which a test does not assert
     * (DirectReplyLatencyProbe in the broker's tests measures it): this holds the groups to that transport.
     */
    @Test
    void theGroupsTellFollowersOfACommitWithoutWaitingForTheHeartbeat() {
        RaftProperties p = QuorumSettings.defaults().properties(dir.resolve("settings"), "127.0.0.1", 0);
        RpcType type = RaftConfigKeys.Rpc.type(p, ignored -> { });
        assertThat(type).isInstanceOf(CommitNoticeRpc.class);
        assertThat(type.newFactory(new Parameters())).isInstanceOf(GrpcFactory.class);
    }
}
