package dev.junction.conformance.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.junction.conformance.BrokerProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node whose Raft port another socket holds (while a node is down, any outgoing connection on the machine
 * may get its port as an ephemeral one) exits with the bind error. Ratis calls {@code System.exit} on the starting
 * thread for it; the broker's shutdown hook used to wait for that start to end, and the process hung without ever
 * opening its listeners.
 */
class ClusterPortTakenTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aNodeWhoseRaftPortIsTakenExitsWithTheBindError() throws Exception {
        int[] ports = ClusterPeers.freePortPairs(ClusterPeers.IDS.length);
        try (ServerSocket taken = new ServerSocket(ports[0], 50, InetAddress.getLoopbackAddress())) {
            String cluster = ClusterPeers.section(0, ports, dir.resolve("n1-raft"), 1000, 2000);
            long began = System.nanoTime();
            Throwable failed = catchThrowable(() -> BrokerProcess.start(dir.resolve("n1"), cluster).close());
            assertThat(failed).isInstanceOf(AssertionError.class);
            assertThat(failed.getMessage()).startsWith("broker exited with 1")
                    .contains("Failed to bind to address /127.0.0.1:" + ports[0]);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)).isLessThan(100);
        }
    }
}
