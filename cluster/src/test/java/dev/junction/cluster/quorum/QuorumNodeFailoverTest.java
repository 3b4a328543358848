package dev.junction.cluster.quorum;

import static dev.junction.cluster.quorum.ThreeQuorumNodes.b;
import static dev.junction.cluster.quorum.ThreeQuorumNodes.done;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link QuorumNode}s in one JVM, one of them stopped, so each test has a cluster of its own: with the queue
 * group's leader stopped, enqueueing and consuming go on on the other two and no confirmed message is lost; the
 * unsettled messages of a consumer whose node went silent go to another consumer.
 */
@Timeout(300)
class QuorumNodeFailoverTest {
    @TempDir
    Path dir;
    private ThreeQuorumNodes cluster;

    @BeforeEach
    void startThree() throws Exception {
        cluster = new ThreeQuorumNodes(dir);
    }

    @AfterEach
    void stopAll() {
        cluster.close();
    }

    @Test
    void withTheGroupsLeaderStoppedTheOtherTwoGoOnAndLoseNoConfirmedMessage() throws Exception {
        done(cluster.get("n1").declare("/", "ha", -1, false));
        for (int i = 0; i < 50; i++) {
            done(cluster.get("n1").enqueue("/", "ha", b("m" + i)));
        }
        String leader = cluster.get("n1").leaderOf("/", "ha").orElseThrow();
        cluster.nodes.remove(leader).close();
        List<String> left = new ArrayList<>(cluster.nodes.keySet());
        QuorumNode publisher = cluster.get(left.get(0));
        QuorumNode consuming = cluster.get(left.get(1));
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
            String[] d = cluster.take(left.get(1)).split(" ");
            assertThat(d[2]).isEqualTo("m" + i);
            done(consuming.settle("/", "ha", consumer, Long.parseLong(d[1])));
        }
        assertThat(cluster.got.get(left.get(1)).poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theMessagesOfAConsumerOnANodeThatWentSilentGoToAnotherConsumer() throws Exception {
        done(cluster.get("n1").declare("/", "silent", -1, false));
        String leader = cluster.get("n1").leaderOf("/", "silent").orElseThrow();
        String follower = cluster.nodes.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        QuorumNode gone = cluster.get(follower);
        done(gone.attach("/", "silent", gone.newConsumerId(), 5));
        for (int i = 0; i < 10; i++) {
            done(cluster.get(leader).enqueue("/", "silent", b("m" + i)));
        }
        for (int i = 0; i < 5; i++) {
            cluster.take(follower); // held unsettled by the consumer whose node is about to go
        }
        cluster.nodes.remove(follower).close();
        QuorumNode stays = cluster.get(leader);
        done(stays.attach("/", "silent", stays.newConsumerId(), 100));
        Set<String> bodies = new TreeSet<>();
        for (int i = 0; i < 10; i++) {
            bodies.add(cluster.take(leader).split(" ")[2]); // the last five once the leader judged the node silent
        }
        assertThat(bodies).hasSize(10);
    }
}
