package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ClientProtocol;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.api.ConnectionRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An AMQP connection in the engine's connection registry: listed from connection.open-ok until its socket closes,
 * its channels read on its own loop, and an administrator's close sent as connection.close 320 CONNECTION_FORCED
 * with the reason [AMQP 0-9-1 connection.close].
 */
class ConnectionEntryTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();
    private final ConnectionRegistry registry = amqp.engine.connections();

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void listedFromOpenWithItsChannelsAndClosedByAnAdministrator() {
        assertThat(registry.list()).isEmpty();
        amqp.handshake();
        ConnectionInfo info = registry.list().get(0);
        assertThat(info.protocol()).isEqualTo(ClientProtocol.AMQP_0_9_1);
        assertThat(info.user()).isEqualTo(EmbeddedAmqp.USER);
        assertThat(info.vhost()).isEqualTo("/");
        assertThat(info.peerPort()).isEqualTo(40_000);

        amqp.openChannel(1);
        amqp.send(1, MethodType.BASIC_QOS.with(0L, 7, false));
        amqp.expect(1, MethodType.BASIC_QOS_OK);
        Map<ConnectionInfo, List<ChannelInfo>> channels = registry.channels(c -> true, Duration.ofSeconds(5));
        assertThat(channels.get(info)).singleElement().satisfies(ch -> {
            assertThat(ch.number()).isEqualTo(1);
            assertThat(ch.prefetchCount()).isEqualTo(7);
            assertThat(ch.consumers()).isEmpty();
        });

        assertThat(registry.close(info.name(), "maintenance")).isTrue();
        Method close = amqp.expect(0, MethodType.CONNECTION_CLOSE);
        assertThat(close.integer("reply-code")).isEqualTo(ReplyCode.CONNECTION_FORCED);
        assertThat(close.str("reply-text")).isEqualTo("CONNECTION_FORCED - maintenance");
        assertThat(registry.list()).as("listed until the socket closes").hasSize(1);
        amqp.send(0, MethodType.CONNECTION_CLOSE_OK.with());
        assertThat(amqp.silent(50)).isTrue();
        assertThat(amqp.socketOpen()).isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!registry.list().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(registry.list()).as("gone once the socket closed").isEmpty();
    }

    @Test
    void aConnectionRefusedInItsHandshakeIsNeverListed() {
        amqp.write(dev.junction.amqp.codec.AmqpEncoder.PROTOCOL_HEADER);
        amqp.expect(0, MethodType.CONNECTION_START);
        assertThat(registry.list()).isEmpty();
    }
}
