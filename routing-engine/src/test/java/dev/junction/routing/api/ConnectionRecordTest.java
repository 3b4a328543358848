package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A connection's registry entry and log lines, shared by every protocol adapter. */
class ConnectionRecordTest {
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final ClientConnection connection = new ClientConnection() {
        @Override
        public void forceClose(ForcedClose cause, String reason) {
        }

        @Override
        public CompletableFuture<List<ChannelInfo>> channels() {
            return CompletableFuture.completedFuture(List.of());
        }
    };

    private static ConnectionInfo info() {
        return ConnectionInfo.of(ClientProtocol.MQTT_5, new InetSocketAddress("127.0.0.1", 40000),
                new InetSocketAddress("127.0.0.1", 1883), false, "u", "/", "device-1", Map.of(), 60);
    }

    @Test
    void aConnectionIsListedFromItsHandshakeUntilItsSocketClosesAndLeavesOnce() {
        ConnectionRecord record = new ConnectionRecord(LoggerFactory.getLogger(ConnectionRecordTest.class));
        record.closed(); // a socket that closes before the handshake was never listed
        record.opened(registry, info(), connection);
        assertThat(registry.list()).extracting(ConnectionInfo::user).containsExactly("u");
        record.because("keep alive timeout");
        record.because("socket closed");
        record.closed();
        record.closed();
        assertThat(registry.size()).isZero();
    }

    @Test
    void anAddressIsOnlyASocketsOwn() {
        assertThat(ConnectionRecord.inet(new InetSocketAddress("127.0.0.1", 1))).isNotNull();
        assertThat(ConnectionRecord.inet(null)).isNull();
    }
}
