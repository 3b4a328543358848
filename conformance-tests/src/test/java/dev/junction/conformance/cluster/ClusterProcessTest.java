package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.BrokerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three broker processes of the packaged jar as a cluster (docs/cluster.md): the metadata group's leader is
 * killed with SIGKILL, the two left elect another and keep taking declarations, each answered one found at once
 * on the other node, and the killed node, started again on its directories, catches up with what it missed.
 */
class ClusterProcessTest {

    private static final String[] IDS = ClusterPeers.IDS;
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"(n\\d)\"");

    @TempDir
    Path dir;
    private final Map<String, BrokerProcess> nodes = new TreeMap<>();
    private int[] raftPorts;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (BrokerProcess p : nodes.values()) {
            p.close();
        }
    }

    @Test
    void declarationsGoOnAfterTheLeaderIsKilledAndTheRestartedNodeCatchesUp() throws Exception {
        raftPorts = ClusterPeers.freePortPairs(3);
        for (String id : IDS) {
            start(id);
        }
        String leader = awaitLeader(List.of(IDS));
        List<String> rest = new ArrayList<>(nodes.keySet());
        rest.remove(leader);
        declare(rest.get(0), "before.q");
        assertThat(passive(rest.get(1), "before.q")).isTrue();

        nodes.remove(leader).kill();
        String next = awaitLeader(rest);
        assertThat(next).isNotEqualTo(leader);
        for (int i = 0; i < 10; i++) {
            String queue = "after.q" + i;
            declare(rest.get(i % 2), queue);
            // Answered by one survivor: the other finds it at once.
            assertThat(passive(rest.get((i + 1) % 2), queue)).as(queue).isTrue();
        }

        start(leader);
        for (int i = 0; i < 10; i++) {
            String queue = "after.q" + i;
            await(queue + " on the restarted " + leader, () -> passive(leader, queue));
        }
        assertThat(passive(leader, "before.q")).isTrue();
    }

    private void start(String id) throws Exception {
        int i = List.of(IDS).indexOf(id);
        String cluster = ClusterPeers.section(i, raftPorts, dir.resolve(id + "-raft"), 1000, 2000);
        nodes.put(id, BrokerProcess.start(dir.resolve(id), cluster));
    }

    /** The leader every one of {@code ids} names, once they agree. */
    private String awaitLeader(List<String> ids) throws Exception {
        String[] agreed = new String[1];
        await("one leader known on " + ids, () -> {
            String first = null;
            for (String id : ids) {
                Matcher m = LEADER.matcher(status(id));
                if (!m.find() || (first != null && !first.equals(m.group(1)))) {
                    return false;
                }
                first = m.group(1);
            }
            agreed[0] = first;
            return nodes.containsKey(first);
        });
        return agreed[0];
    }

    private String status(String id) throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(id).port("http")
                + "/api/cluster")).header("Authorization", "Basic " + auth).build();
        try {
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException notUp) {
            return "";
        }
    }

    private Connection connect(String id) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(nodes.get(id).port("amqp"));
        return f.newConnection();
    }

    /** Declares a durable queue, again while the node refuses it for want of a leader (an election). */
    private void declare(String id, String queue) throws Exception {
        await(queue + " declared on " + id, () -> {
            try (Connection c = connect(id); Channel ch = c.createChannel()) {
                ch.queueDeclare(queue, true, false, false, null);
                return true;
            } catch (IOException e) {
                if (String.valueOf(e.getCause()).contains("541")) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** A passive declare: true when found, false on 404; refused for want of a leader, it is asked again. */
    private boolean passive(String id, String queue) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = connect(id); Channel ch = c.createChannel()) {
                ch.queueDeclarePassive(queue);
                return true;
            } catch (IOException e) {
                String why = String.valueOf(e.getCause());
                if (why.contains("404")) {
                    return false;
                }
                if (!why.contains("541") || attempt > 100) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }
}
