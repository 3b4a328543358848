package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.rabbitmq.client.Channel;
import dev.junction.conformance.LogCapture;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.List;
import org.apache.qpid.proton.engine.EndpointState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A malformed frame ends its own connection and nothing else (issue: "malformed frames close the connection with
 * the right AMQP 1.0 error condition, a log line, and no effect on other connections"; docs/amqp10.md, "Limits").
 * The bad bytes come over a real socket after a proper login; a Qpid JMS connection and an AMQP 0-9-1 connection
 * on the same port keep working, before and after. A broker of its own, so that the log line is this test's: the
 * broker writes at most one such line per kind every ten seconds.
 */
class Amqp10MalformedFrameTest {
    /**
     * A frame of 12 bytes on channel 0 (AMQP frame type 0), whose body is the described type {@code open} (0x10)
     * with a constructor no AMQP type has (0xff): a frame body that does not decode [AMQP 1.0 part 1 section 1.2,
     * part 2 section 2.3.2]; the condition is {@code amqp:decode-error} [part 2 section 2.8.15].
     */
    private static final byte[] UNDECODABLE = {0, 0, 0, 12, 2, 0, 0, 0, 0x00, 0x53, 0x10, (byte) 0xff};

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void aFrameThatDoesNotDecodeClosesOnlyItsConnectionWithDecodeErrorAndOneLogLine() throws Exception {
        String queue = Amqp10Support.id("neighbour");
        Channel amqp = broker.amqpChannel();
        amqp.queueDeclare(queue, false, false, false, null);
        Connection jms = broker.jms();
        Session s = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = s.createProducer(s.createQueue("/queues/" + queue));
        MessageConsumer consumer = s.createConsumer(s.createQueue("/queues/" + queue));
        roundTrips(amqp, queue, producer, consumer, s, "before");

        int port;
        try (LogCapture logs = LogCapture.capture();
             RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            port = raw.socket.getLocalPort();
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            raw.writeRaw(UNDECODABLE);
            raw.pumpUntil(() -> raw.connection.getRemoteState() == EndpointState.CLOSED);
            assertThat(raw.connection.getRemoteCondition()).as("the close carries an error").isNotNull();
            assertThat(raw.connection.getRemoteCondition().getCondition().toString()).isEqualTo("amqp:decode-error");
            assertThat(raw.serverClosed()).as("the socket closed").isTrue();
            Thread.sleep(200); // anything else the broker logs for this connection
            String peer = "127.0.0.1:" + port;
            List<ILoggingEvent> warnings = logs.matching(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                    && e.getFormattedMessage().contains(peer));
            assertThat(warnings).as("warnings naming the connection").hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).contains("decode-error");
        }

        // the neighbours never noticed
        roundTrips(amqp, queue, producer, consumer, s, "after");
        assertThat(amqp.isOpen()).isTrue();
        Connection fresh = broker.jms();
        Session s2 = fresh.createSession(false, Session.AUTO_ACKNOWLEDGE);
        s2.createProducer(s2.createQueue("/queues/" + queue)).send(s2.createTextMessage("new connection"));
        assertThat(((TextMessage) consumer.receive(5000)).getText()).isEqualTo("new connection");
    }

    /** JMS → JMS and 0-9-1 → JMS through the queue. */
    private static void roundTrips(Channel amqp, String queue, MessageProducer producer, MessageConsumer consumer,
                                   Session s, String when) throws Exception {
        producer.send(s.createTextMessage("jms " + when));
        assertThat(((TextMessage) consumer.receive(5000)).getText()).isEqualTo("jms " + when);
        amqp.basicPublish("", queue, null, Amqp10Support.utf8("0-9-1 " + when));
        jakarta.jms.Message m = consumer.receive(5000);
        assertThat(m).as("0-9-1 message " + when).isNotNull();
        assertThat(new String(m.getBody(byte[].class), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("0-9-1 " + when);
    }
}
