package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.Admission;
import dev.junction.routing.api.HandshakeCompleted;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gate's part of a connection leaves the pipeline at the handshake, and what it counted (open connections,
 * handshaking ones, connections per source address) is given back when the connection closes, refused or not.
 */
class ConnectionGateTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConnectionGate gate = new ConnectionGate(0,
            new Admission(0, 2, Duration.ofSeconds(10), Duration.ofSeconds(60)), registry);

    /** A connection from {@code host}:{@code port}, admitted (or refused) as it becomes active. */
    private EmbeddedChannel from(String host, int port) {
        EmbeddedChannel ch = new EmbeddedChannel(gate.newSlot()) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(host, port);
            }
        };
        ch.runPendingTasks();
        return ch;
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private static void close(EmbeddedChannel ch) {
        ch.close();
        ch.runPendingTasks();
    }

    @Test
    void anAdmittedConnectionLeavesThePipelineAtItsHandshakeAndCountsUntilItCloses() {
        EmbeddedChannel ch = from("10.0.0.1", 40001);
        assertThat(gauge("junction.connections")).isEqualTo(1);
        assertThat(gauge("junction.connections.handshaking")).isEqualTo(1);

        ch.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
        assertThat(ch.pipeline().toMap()).as("nothing of the gate is left in the pipeline").isEmpty();
        assertThat(gauge("junction.connections.handshaking")).isZero();
        assertThat(gauge("junction.connections")).isEqualTo(1);

        close(ch);
        assertThat(gauge("junction.connections")).isZero();
        assertThat(gauge("junction.connections.handshaking")).isZero();
    }

    @Test
    void aConnectionClosedInItsHandshakeGivesBackBothCounts() {
        EmbeddedChannel ch = from("10.0.0.1", 40001);
        close(ch);
        assertThat(gauge("junction.connections")).isZero();
        assertThat(gauge("junction.connections.handshaking")).isZero();
    }

    @Test
    void theSourceLimitCountsOpenConnectionsAndGivesThemBackWhenTheyClose() {
        EmbeddedChannel a = from("10.0.0.2", 40001);
        EmbeddedChannel b = from("10.0.0.2", 40002);
        a.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE); // established ones count too
        EmbeddedChannel refused = from("10.0.0.2", 40003);
        assertThat(refused.isOpen()).as("a third from one address, past max_connections_per_source 2").isFalse();
        refused.runPendingTasks();
        assertThat(registry.get("junction.connections.closed.admission").tag("reason", "max_connections_per_source")
                .counter().count()).isEqualTo(1);
        assertThat(gauge("junction.connections")).as("the refused one is given back").isEqualTo(2);
        EmbeddedChannel other = from("10.0.0.3", 40001);
        assertThat(other.isOpen()).as("another address is not limited").isTrue();

        close(a);
        EmbeddedChannel again = from("10.0.0.2", 40004);
        assertThat(again.isOpen()).as("a closed connection made room").isTrue();
        close(b);
        close(again);
        assertThat(gauge("junction.connections")).as("only 10.0.0.3's is open").isEqualTo(1);
        close(other);
        assertThat(gauge("junction.connections")).isZero();
    }
}
