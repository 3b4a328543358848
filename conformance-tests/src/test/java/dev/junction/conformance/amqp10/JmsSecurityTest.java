package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Logins and permissions over AMQP 1.0 are those of AMQP 0-9-1: SASL PLAIN against the broker's users, the vhost
 * from the {@code open} hostname {@code vhost:<name>}, and configure / write / read checked on every attach
 * (docs/amqp10.md, "Security").
 */
class JmsSecurityTest {
    private static final long WAIT_MS = 15_000;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    @Test
    void aWrongPasswordIsRefusedAtLogin() {
        assertThatThrownBy(() -> broker.jms("guest", "wrong", ""))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void anUnknownUserIsRefusedAtLogin() {
        assertThatThrownBy(() -> broker.jms("nobody", "nobody", ""))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void aVhostWithoutPermissionIsRefusedAtOpen() {
        // limited has permissions in "restricted" only; no vhost: hostname means the default vhost "/"
        assertThatThrownBy(() -> broker.jms("limited", "limited", ""))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void theOpenHostnameChoosesTheVhostAndEveryAttachIsChecked() throws Exception {
        Connection c = broker.jms("limited", "limited", "amqp.vhost=vhost:restricted");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        // own.* may be declared, written through the default exchange and read
        String own = Amqp10Support.id("own.q");
        s.createProducer(s.createQueue(own)).send(s.createTextMessage("mine"));
        MessageConsumer consumer = s.createConsumer(s.createQueue(own));
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("mine");
        // anything else may not be declared (configure) ...
        assertThatThrownBy(() -> s.createProducer(s.createQueue(Amqp10Support.id("secret"))))
                .isInstanceOf(JMSSecurityException.class);
        // ... nor published to through another exchange (write) ...
        assertThatThrownBy(() -> s.createProducer(s.createTopic("anything")))
                .isInstanceOf(JMSSecurityException.class);
        // ... and the session stays usable after a refused link
        s.createProducer(s.createQueue(own)).send(s.createTextMessage("still"));
        assertThat(((TextMessage) consumer.receive(WAIT_MS)).getText()).isEqualTo("still");
    }

    @Test
    void readingAQueueNeedsReadPermission() throws Exception {
        String q = Amqp10Support.id("guarded");
        var guest = broker.amqpChannelIn("restricted");
        guest.queueDeclare(q, true, false, false, null);
        Connection c = broker.jms("limited", "limited", "amqp.vhost=vhost:restricted");
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("/queues/" + q)))
                .isInstanceOf(JMSSecurityException.class)
                .hasMessageContaining("read access to queue");
    }
}
