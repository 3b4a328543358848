package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertBrokerServes;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.junction.amqp.AmqpConnection;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client may drop the socket at any point of the handshake [AMQP 0-9-1 section 4.2.3: "the client can close the
 * socket at any time"]; the broker forgets the connection quietly: no ERROR, no stack trace.
 */
@Timeout(30)
class HandshakeCloseTest {
    private static final byte[] AMQP_0_9_1 = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void socketClosedAfterConnectionStartLogsNoErrorAndNoException() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(AmqpConnection.class, Level.DEBUG)) {
            int localPort;
            try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
                localPort = raw.socket.getLocalPort();
                raw.writeRaw(AMQP_0_9_1);
                raw.expectMethod(10, 10); // connection.start: the broker is inside the handshake now
            }
            // The broker's own "connection closed" line is the barrier: everything its close did is logged before it.
            assertThat(logs.await(":" + localPort + ": connection closed", AmqpSupport.WAIT_MS))
                    .as("the broker logged the end of the connection; logged: %s", logs.events()).isTrue();
            assertThat(logs.matching(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null))
                    .as("errors or stack traces logged for a client that left during the handshake").isEmpty();
        }
        assertBrokerServes(broker);
    }

    @Test
    void socketClosedBeforeTheProtocolHeaderLogsNoErrorAndNoException() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(AmqpConnection.class, Level.DEBUG)) {
            int localPort;
            try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
                localPort = raw.socket.getLocalPort();
                raw.writeRaw(new byte[] {'A', 'M'}); // half a protocol header
            }
            assertThat(logs.await(":" + localPort + ": connection closed", AmqpSupport.WAIT_MS))
                    .as("the broker logged the end of the connection; logged: %s", logs.events()).isTrue();
            assertThat(logs.matching(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null))
                    .as("errors or stack traces logged for a client that left before its protocol header").isEmpty();
        }
        assertBrokerServes(broker);
    }

    @Test
    void socketRefusedAtTheConnectionLimitLogsNoErrorAndNoException() throws Exception {
        // limits.max_connections: a connection past the limit is closed before its handshake starts; that close
        // must be as quiet as any other (the NullPointerException of issue 9 item 13 came from this path)
        try (BrokerFixture full = BrokerFixture.start(60, 16 * 1024 * 1024, 1);
                com.rabbitmq.client.Connection holder = AmqpSupport.factory(full).newConnection();
                LogCapture logs = LogCapture.capture().level(AmqpConnection.class, Level.DEBUG)) {
            int localPort;
            try (RawAmqp raw = new RawAmqp(full.amqpPort())) {
                localPort = raw.socket.getLocalPort();
                raw.writeRaw(AMQP_0_9_1);
                raw.expectEof();
            }
            assertThat(logs.await(":" + localPort + ": connection closed", AmqpSupport.WAIT_MS))
                    .as("the broker logged the end of the connection; logged: %s", logs.events()).isTrue();
            assertThat(logs.matching(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null))
                    .as("errors or stack traces logged for a connection refused at the limit").isEmpty();
            assertThat(holder.createChannel().queueDeclare().getQueue()).isNotEmpty();
        }
    }
}
