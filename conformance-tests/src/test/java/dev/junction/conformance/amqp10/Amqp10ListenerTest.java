package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.conformance.tls.TlsBroker;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import javax.net.ssl.SSLContext;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AMQP 1.0's own listener ({@code listeners.amqp10}) with a {@code tls} block, driven by Qpid JMS over
 * {@code amqps}: SASL EXTERNAL logs in as the user the verified client certificate names (its common name), an
 * unknown one is refused, and the {@code amqp10} section's anonymous user serves SASL ANONYMOUS with that user's
 * permissions (docs/amqp10.md, "Listener" and "Security"). The listener serves AMQP 1.0 only.
 */
class Amqp10ListenerTest {
    private static final String CONFIG = """
            listeners:
              amqp: { enabled: false }
              mqtt: { enabled: false }
              mqtt_ws: { enabled: false }
              http: { bind: 127.0.0.1, port: 0 }
              amqp10:
                enabled: true
                bind: 127.0.0.1
                port: 0
                tls:
                  cert_file: certs/server.pem
                  key_file: certs/server.key
                  ca_file: certs/ca.pem
                  client_auth: optional
                  identity: common_name
            storage: { dir: data }
            limits: { auth_failure_max_delay_ms: 0 }
            vhosts: ["/"]
            users:
              - name: alice
                password: alice-password
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
              - name: visitor
                password: visitor-password
                permissions:
                  "/": { configure: "^visit\\\\.", write: "^visit\\\\.|amq\\\\.default", read: "^visit\\\\." }
            amqp10:
              allow_anonymous: true
              anonymous_user: visitor
            """;

    @RegisterExtension
    final TlsBroker tls = TlsBroker.perMethod(CONFIG);

    /** A started Qpid JMS connection over TLS to the amqp10 listener with {@code mechanism}. */
    private Connection jms(SSLContext context, String mechanism) throws JMSException {
        // the server certificate names localhost; the test connects to 127.0.0.1
        JmsConnectionFactory f = new JmsConnectionFactory("amqps://127.0.0.1:" + tls.port("amqp10")
                + "?transport.verifyHost=false&amqp.saslMechanisms=" + mechanism);
        f.setSslContext(context);
        Connection c = f.createConnection();
        tls.closeBeforeStop(c::close);
        c.start();
        return c;
    }

    private static String roundTrip(Session s, String queue) throws JMSException {
        MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
        s.createProducer(s.createQueue(queue)).send(s.createTextMessage("over " + queue));
        return ((TextMessage) consumer.receive(5000)).getText();
    }

    @Test
    void externalLogsInAsTheCertificatesUser() throws Exception {
        Session alice = jms(tls.pki().client("alice").clientContext(tls.pki()), "EXTERNAL")
                .createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThat(roundTrip(alice, "anything")).isEqualTo("over anything");

        // visitor's certificate gets visitor's permissions, not alice's
        Session visitor = jms(tls.pki().client("visitor").clientContext(tls.pki()), "EXTERNAL")
                .createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThat(roundTrip(visitor, "visit.mine")).isEqualTo("over visit.mine");
        assertThatThrownBy(() -> visitor.createConsumer(visitor.createQueue("not-visitors")))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void aCertificateNamingNoUserIsRefused() throws Exception {
        SSLContext stranger = tls.pki().client("mallory").clientContext(tls.pki());
        assertThatThrownBy(() -> jms(stranger, "EXTERNAL")).isInstanceOf(JMSSecurityException.class);
        // a certificate from a CA the listener does not trust never gets to SASL
        SSLContext rogue = tls.rogue().client("alice").clientContext(tls.pki());
        assertThatThrownBy(() -> jms(rogue, "EXTERNAL")).isInstanceOf(JMSException.class);
    }

    @Test
    void anonymousActsAsTheConfiguredUser() throws Exception {
        Session s = jms(tls.pki().trustingContext(), "ANONYMOUS").createSession(false, Session.AUTO_ACKNOWLEDGE);
        assertThat(roundTrip(s, "visit.anonymous")).isEqualTo("over visit.anonymous");
        assertThatThrownBy(() -> s.createConsumer(s.createQueue("elsewhere")))
                .isInstanceOf(JMSSecurityException.class);
    }

    @Test
    void theListenerServesAmqp10Only() throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setPort(tls.port("amqp10"));
        f.useSslProtocol(tls.pki().trustingContext());
        f.setUsername("alice");
        f.setPassword("alice-password");
        assertThatThrownBy(f::newConnection).isInstanceOf(Exception.class);
    }
}
