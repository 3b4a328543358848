package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The connection registry: listing, closing by name or by rule, channel snapshots and the shutdown goodbye. */
class ConnectionRegistryTest {
    private final ConnectionRegistry registry = new ConnectionRegistry();

    /** A connection that records what it was told and, when {@code leaves}, unregisters itself as a socket close. */
    private static final class FakeConnection implements ClientConnection {
        final List<String> told = new ArrayList<>();
        ConnectionRegistry.Registration registration;
        boolean leaves = true;
        CompletableFuture<List<ChannelInfo>> channels = CompletableFuture.completedFuture(List.of());

        @Override
        public void forceClose(ForcedClose cause, String reason) {
            told.add(cause + ": " + reason);
            if (leaves) {
                registration.close();
            }
        }

        @Override
        public CompletableFuture<List<ChannelInfo>> channels() {
            return channels;
        }
    }

    private static ConnectionInfo info(String user, String vhost, int peerPort) {
        return ConnectionInfo.of(ClientProtocol.AMQP_0_9_1, new InetSocketAddress("127.0.0.1", peerPort),
                new InetSocketAddress("127.0.0.1", 5672), false, user, vhost, null, Map.of(), 60);
    }

    private FakeConnection register(ConnectionInfo info) {
        FakeConnection c = new FakeConnection();
        c.registration = registry.register(info, c);
        return c;
    }

    @Test
    void namesConnectionsAsRabbitMqDoes() {
        ConnectionInfo i = info("guest", "/", 54321);
        assertThat(i.name()).isEqualTo("127.0.0.1:54321 -> 127.0.0.1:5672");
        assertThat(i.peerHost()).isEqualTo("127.0.0.1");
        assertThat(i.peerPort()).isEqualTo(54321);
        assertThat(i.port()).isEqualTo(5672);
        assertThat(i.describe()).contains("AMQP 0-9-1", "127.0.0.1:54321", "user 'guest'", "vhost '/'");
    }

    @Test
    void listsFromRegistrationUntilTheRegistrationCloses() {
        FakeConnection a = register(info("a", "/", 1));
        register(info("b", "/", 2));
        assertThat(registry.list()).extracting(ConnectionInfo::user).containsExactlyInAnyOrder("a", "b");
        assertThat(registry.find("127.0.0.1:1 -> 127.0.0.1:5672")).isPresent();
        a.registration.close();
        a.registration.close(); // twice is harmless
        assertThat(registry.list()).extracting(ConnectionInfo::user).containsExactly("b");
        assertThat(registry.find("127.0.0.1:1 -> 127.0.0.1:5672")).isEmpty();
        assertThat(registry.size()).isEqualTo(1);
    }

    @Test
    void closesByNameAsAnAdministrativeAction() {
        FakeConnection a = register(info("a", "/", 1));
        assertThat(registry.close("127.0.0.1:1 -> 127.0.0.1:5672", "maintenance")).isTrue();
        assertThat(a.told).containsExactly("ADMINISTRATIVE: maintenance");
        assertThat(registry.close("127.0.0.1:1 -> 127.0.0.1:5672", "again")).isFalse();
    }

    @Test
    void closesWhatARuleSelectsAndNothingElse() {
        FakeConnection a1 = register(info("alice", "/", 1));
        FakeConnection a2 = register(info("alice", "other", 2));
        FakeConnection b = register(info("bob", "/", 3));
        int n = registry.closeWhere(c -> c.user().equals("alice") && c.vhost().equals("/"), "revoked");
        assertThat(n).isEqualTo(1);
        assertThat(a1.told).containsExactly("ADMINISTRATIVE: revoked");
        assertThat(a2.told).isEmpty();
        assertThat(b.told).isEmpty();
    }

    @Test
    void channelSnapshotsWaitBoundedlyForEachConnection() {
        FakeConnection fast = register(info("a", "/", 1));
        fast.channels = CompletableFuture.completedFuture(List.of(new ChannelInfo(1, 10, 2, true, false,
                List.of(new ConsumerInfo("q", "ctag", true, 10, false, Map.of())))));
        FakeConnection silent = register(info("b", "/", 2));
        silent.channels = new CompletableFuture<>(); // its loop never answers
        Map<ConnectionInfo, List<ChannelInfo>> all = registry.channels(c -> true, Duration.ofMillis(100));
        assertThat(all).hasSize(2);
        assertThat(all.get(fast.registration.info())).singleElement()
                .satisfies(ch -> assertThat(ch.consumers()).singleElement()
                        .extracting(ConsumerInfo::queue).isEqualTo("q"));
        assertThat(all.get(silent.registration.info())).isEmpty();
        assertThat(registry.channels(c -> c.user().equals("b"), Duration.ofMillis(10))).hasSize(1);
    }

    @Test
    void shutdownTellsEveryConnectionAndWaitsOnlyAsLongAsAllowed() {
        FakeConnection a = register(info("a", "/", 1));
        FakeConnection b = register(info("b", "/", 2));
        assertThat(registry.shutdown("bye", Duration.ofSeconds(5))).isTrue();
        assertThat(a.told).containsExactly("SHUTDOWN: bye");
        assertThat(b.told).containsExactly("SHUTDOWN: bye");

        FakeConnection stuck = register(info("c", "/", 3));
        stuck.leaves = false;
        long started = System.nanoTime();
        assertThat(registry.shutdown("bye", Duration.ofMillis(200))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(stuck.told).containsExactly("SHUTDOWN: bye");
    }
}
