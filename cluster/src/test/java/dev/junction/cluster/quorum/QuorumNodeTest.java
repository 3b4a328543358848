package dev.junction.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.quorum.QuorumLimits;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link QuorumNode}s in one JVM (free ports, temporary directories): a queue's messages enqueued on one node
 * are confirmed once a majority has them and reach a consumer on another node once each and in order; returns
 * count against x-delivery-limit and the consumer's node dead-letters past it; with the queue group's leader
 * stopped, enqueueing and consuming go on on the other two and no confirmed message is lost; commands asked while
 * earlier ones commit share log entries; an idle queue's message past x-message-ttl leaves on the leader's timer.
 */
@Timeout(300)
class QuorumNodeTest {
    private static final String[] IDS = {"n1", "n2", "n3"};

    @TempDir
    Path dir;
    private final Map<String, QuorumNode> nodes = new TreeMap<>();
    private final Map<String, LinkedBlockingQueue<String>> got = new TreeMap<>();

    /** A node's consumer side: every delivery as "consumer id body returns", dead letters as "dead body returns". */
    private QuorumConsumers recorder(String node) {
        LinkedBlockingQueue<String> q = got.computeIfAbsent(node, n -> new LinkedBlockingQueue<>());
        return new QuorumConsumers() {
            @Override
            public void deliver(String vhost, String name, String consumer, long id, byte[] body, int returns) {
                q.add(consumer + " " + id + " " + new String(body, StandardCharsets.UTF_8) + " " + returns);
            }

            @Override
            public void deadLetter(String vhost, String name, byte[] body, int returns) {
                q.add("dead " + new String(body, StandardCharsets.UTF_8) + " " + returns);
            }

            @Override
            public void dropped(String vhost, String name, byte[] body, String reason) {
                q.add("dropped " + new String(body, StandardCharsets.UTF_8) + " " + reason);
            }
        };
    }

    @AfterEach
    void stopAll() {
        nodes.values().forEach(QuorumNode::close);
    }

    private void startThree() throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        int[] ports = freePorts(3);
        for (int i = 0; i < 3; i++) {
            peers.put(IDS[i], "127.0.0.1:" + ports[i]);
        }
        // Timeouts of a loaded machine: shorter ones made elections go round for tens of seconds there.
        QuorumSettings settings = new QuorumSettings(2, Duration.ofMillis(1000), Duration.ofMillis(2000), 50,
                64 << 10);
        for (int i = 0; i < 3; i++) {
            QuorumNode n = new QuorumNode(IDS[i], "127.0.0.1", ports[i], dir.resolve(IDS[i]), peers, settings,
                    recorder(IDS[i]));
            nodes.put(IDS[i], n);
        }
        for (QuorumNode n : nodes.values()) {
            n.start();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T done(CompletableFuture<T> f) throws Exception {
        return f.get(90, TimeUnit.SECONDS);
    }

    private String take(String node) throws InterruptedException {
        String s = got.get(node).poll(60, TimeUnit.SECONDS);
        assertThat(s).as("a delivery on " + node).isNotNull();
        return s;
    }

    @Test
    void messagesEnqueuedOnOneNodeReachAConsumerOnAnotherOnceAndInOrder() throws Exception {
        startThree();
        QuorumNode a = nodes.get("n1");
        QuorumNode c = nodes.get("n3");
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
            String[] d = take("n3").split(" ");
            assertThat(d[0]).isEqualTo(consumer);
            assertThat(d[2]).isEqualTo("m" + i);
            done(c.settle("/", "qq", consumer, Long.parseLong(d[1])));
        }
        assertThat(got.get("n3").poll(300, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
        assertThat(got.get("n1")).isEmpty();
        await(() -> nodes.values().stream().allMatch(n -> n.readyCount("/", "qq") == 0));
    }

    /**
     * A leader takes a client's requests one at a time, so one command per request held a node to the rate of that
     * hand-over (docs/benchmarks.md, "Quorum queues, three nodes"): commands asked while earlier ones commit must
     * go together, in far fewer log entries than commands, and still be confirmed each with its own id, in order.
     */
    @Test
    void commandsAskedWhileEarlierOnesCommitShareLogEntries() throws Exception {
        startThree();
        QuorumNode a = nodes.get("n1");
        done(a.declare("/", "qq", -1, false));
        int group = a.groupIndexOf("/", "qq");
        long before = highestCommitIndex(group);
        List<CompletableFuture<Long>> confirms = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            confirms.add(a.enqueue("/", "qq", b("m" + i)));
        }
        long last = 0;
        for (CompletableFuture<Long> f : confirms) {
            long id = done(f);
            assertThat(id).as("ids grow in the order asked").isGreaterThan(last);
            last = id;
        }
        // One command per request took 500 entries and more (the leader also logs each commit index it reaches).
        assertThat(highestCommitIndex(group) - before).isLessThan(250);
    }

    private long highestCommitIndex(int group) {
        return nodes.values().stream().mapToLong(n -> n.groupStatus().get(group).commitIndex()).max().orElseThrow();
    }

    @Test
    void returnsCountAndTheConsumersNodeDeadLettersPastTheDeliveryLimit() throws Exception {
        startThree();
        QuorumNode b = nodes.get("n2");
        done(b.declare("/", "poison", 2, false));
        done(nodes.get("n1").enqueue("/", "poison", b("p")));
        String consumer = b.newConsumerId();
        done(b.attach("/", "poison", consumer, 1));
        for (int returns = 0; returns <= 2; returns++) {
            String[] d = take("n2").split(" ");
            assertThat(d[3]).isEqualTo(Integer.toString(returns));
            done(b.giveBack("/", "poison", consumer, Long.parseLong(d[1])));
        }
        assertThat(take("n2")).isEqualTo("dead p 3");
        assertThat(b.readyCount("/", "poison")).isZero();
        assertThat(got.get("n1")).isEmpty();
        assertThat(got.get("n3")).isEmpty();
    }

    /**
     * RabbitMQ's quorum queues expire a message on a timer once it is at the head and past its TTL ("Time-To-Live
     * and Expiration"): with nothing more asked of the queue, its one message leaves every replica and one node
     * (the group leader's, which proposed the expiry) dead-letters it with reason expired.
     */
    @Test
    void anIdleQueuesExpiredMessageLeavesAndIsDeadLetteredOnceWithoutAnotherCommand() throws Exception {
        startThree();
        QuorumNode a = nodes.get("n1");
        done(a.declare("/", "ttl", -1, false, new QuorumLimits(-1, -1, false, 500)));
        done(a.enqueue("/", "ttl", b("late"), 4, System.currentTimeMillis()));
        await(() -> got.values().stream().anyMatch(q -> q.contains("dropped late expired")));
        await(() -> nodes.values().stream().allMatch(n -> n.readyCount("/", "ttl") == 0));
        Thread.sleep(300);
        assertThat(got.values().stream().mapToInt(q -> q.size()).sum()).as("dead-lettered once, nothing else")
                .isEqualTo(1);
    }

    @Test
    void withTheGroupsLeaderStoppedTheOtherTwoGoOnAndLoseNoConfirmedMessage() throws Exception {
        startThree();
        done(nodes.get("n1").declare("/", "ha", -1, false));
        for (int i = 0; i < 50; i++) {
            done(nodes.get("n1").enqueue("/", "ha", b("m" + i)));
        }
        String leader = nodes.get("n1").leaderOf("/", "ha").orElseThrow();
        nodes.remove(leader).close();
        List<String> left = new ArrayList<>(nodes.keySet());
        QuorumNode publisher = nodes.get(left.get(0));
        QuorumNode consuming = nodes.get(left.get(1));
        // The survivors elect a leader first: an enqueue asked during the election may outlast the publisher's
        // confirm limit (a nack, which this test is not about) when the machine is busy.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (publisher.leaderOf("/", "ha").filter(left::contains).isEmpty()) {
            assertThat(System.nanoTime()).as("a new leader among " + left).isLessThan(deadline);
            Thread.sleep(50);
        }
        for (int i = 50; i < 100; i++) {
            done(publisher.enqueue("/", "ha", b("m" + i))); // the client finds the new leader
        }
        String consumer = consuming.newConsumerId();
        done(consuming.attach("/", "ha", consumer, 20));
        for (int i = 0; i < 100; i++) {
            String[] d = take(left.get(1)).split(" ");
            assertThat(d[2]).isEqualTo("m" + i);
            done(consuming.settle("/", "ha", consumer, Long.parseLong(d[1])));
        }
        assertThat(got.get(left.get(1)).poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theMessagesOfAConsumerOnANodeThatWentSilentGoToAnotherConsumer() throws Exception {
        startThree();
        done(nodes.get("n1").declare("/", "silent", -1, false));
        String leader = nodes.get("n1").leaderOf("/", "silent").orElseThrow();
        String follower = nodes.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        QuorumNode gone = nodes.get(follower);
        done(gone.attach("/", "silent", gone.newConsumerId(), 5));
        for (int i = 0; i < 10; i++) {
            done(nodes.get(leader).enqueue("/", "silent", b("m" + i)));
        }
        for (int i = 0; i < 5; i++) {
            take(follower); // held unsettled by the consumer whose node is about to go
        }
        nodes.remove(follower).close();
        QuorumNode stays = nodes.get(leader);
        done(stays.attach("/", "silent", stays.newConsumerId(), 100));
        java.util.Set<String> bodies = new java.util.TreeSet<>();
        for (int i = 0; i < 10; i++) {
            bodies.add(take(leader).split(" ")[2]); // the last five once the leader judged the node silent
        }
        assertThat(bodies).hasSize(10);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** {@code n} ports free at the time of asking (also the latency probe's). */
    static int[] freePorts(int n) throws Exception {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            sockets[i] = new ServerSocket(0);
            ports[i] = sockets[i].getLocalPort();
        }
        for (ServerSocket s : sockets) {
            s.close();
        }
        return ports;
    }
}
