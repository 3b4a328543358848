package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.assertConnectionClosed;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.factory;
import static dev.junction.conformance.amqp.AmqpSupport.failureOfNextSyncCall;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals by access control as the stock RabbitMQ client surfaces them: a resource outside the user's configure or
 * write permission is channel.close 403 ACCESS_REFUSED (RabbitMQ access control), a vhost the user may not use is
 * connection.close 530 NOT_ALLOWED at connection.open, and bad credentials fail the login. After a channel error the
 * connection stays usable with a permitted name.
 */
@Timeout(30)
class AccessRefusalTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    /** For users that may only configure some names: the connection still works with a permitted name. */
    private static void assertUsable(Connection c, String permittedQueue) throws IOException {
        assertThat(c.isOpen()).isTrue();
        Channel ch = c.createChannel();
        assertThat(ch.queueDeclare(unique(permittedQueue), false, false, true, null).getQueue())
                .startsWith(permittedQueue);
    }

    @Test
    void limitedUserDeclaringAQueueOutsideItsConfigurePermissionIs403() throws Exception {
        // RabbitMQ access control: configure permission regex not matched => channel.close 403 ACCESS_REFUSED
        try (Connection c = factory(broker, "limited", "limited", "restricted").newConnection()) {
            Channel ok = c.createChannel();
            String own = unique("own.q");
            assertThat(ok.queueDeclare(own, false, false, true, null).getQueue()).isEqualTo(own);
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> ch.queueDeclare(unique("notown.q"), false, false, true, null));
            AMQP.Channel.Close close = assertChannelClosed(e, 403);
            assertThat(close.getReplyText()).startsWith("ACCESS_REFUSED");
            assertUsable(c, "own.after-refusal3");
        }
    }

    @Test
    void limitedUserOpeningAVhostItHasNoPermissionsOnIsRefusedWith530() {
        // RabbitMQ connection.open: no permissions on the vhost => connection.close 530 NOT_ALLOWED
        for (String vhost : new String[] {"/", "empty", "no-such-vhost"}) {
            ConnectionFactory f = factory(broker, "limited", "limited", vhost);
            Exception e = assertThrows(Exception.class, f::newConnection, vhost);
            assertThat(e).as(vhost).isInstanceOfAny(IOException.class, ShutdownSignalException.class);
            AMQP.Connection.Close close = assertConnectionClosed(e, 530);
            assertThat(close.getReplyText()).as(vhost).startsWith("NOT_ALLOWED");
        }
    }

    @Test
    void guestOpeningTheVhostNoUserMayUseIsRefusedWith530() {
        // RabbitMQ connection.open: vhost exists but the user has no permissions there => 530 NOT_ALLOWED
        Exception e = assertThrows(Exception.class, factory(broker, "guest", "guest", "empty")::newConnection);
        assertConnectionClosed(e, 530);
    }

    @Test
    void wrongPasswordRaisesAuthenticationFailureException() {
        // RabbitMQ authentication_failure_close capability: bad credentials => connection.close 403 before open
        assertThrows(AuthenticationFailureException.class,
                factory(broker, "guest", "wrong-password", "/")::newConnection);
        assertThrows(AuthenticationFailureException.class,
                factory(broker, "nobody", "guest", "/")::newConnection);
    }

    @Test
    void limitedUserDeclaringAServerNamedQueueIs403() throws Exception {
        // RabbitMQ queue.declare: configure permission is checked against the generated amq.gen-* name => 403
        try (Connection c = factory(broker, "limited", "limited", "restricted").newConnection()) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.queueDeclare());
            assertChannelClosed(e, 403);
            assertUsable(c, "own.after-refusal");
        }
    }

    @Test
    void limitedUserDeclaringAQueueThatDeadLettersIntoAnExchangeItCannotWriteIs403() throws Exception {
        // RabbitMQ queue.declare with x-dead-letter-exchange: needs write permission on the DLX, else 403
        try (Connection c = factory(broker, "limited", "limited", "restricted").newConnection()) {
            Channel ok = c.createChannel();
            String dlx = unique("own.dlx");
            ok.exchangeDeclare(dlx, "fanout", false, true, null);
            ok.queueDeclare(unique("own.dl-ok"), false, false, true, Map.of("x-dead-letter-exchange", dlx));
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.queueDeclare(unique("own.dl"), false, false,
                    true, Map.of("x-dead-letter-exchange", "amq.fanout")));
            assertChannelClosed(e, 403);
            assertUsable(c, "own.after-refusal4");
        }
    }

    @Test
    void limitedUserDeclaringAnExchangeWithAnAlternateExchangeItCannotWriteIs403() throws Exception {
        // RabbitMQ exchange.declare with alternate-exchange: needs write permission on the AE, else 403
        try (Connection c = factory(broker, "limited", "limited", "restricted").newConnection()) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.exchangeDeclare(unique("own.x"), "direct",
                    false, true, Map.of("alternate-exchange", "amq.fanout")));
            assertChannelClosed(e, 403);
            assertUsable(c, "own.after-refusal5");
        }
    }

    @Test
    void limitedUserWritesViaTheDefaultExchangeButNotToExchangesOutsideItsWritePermission() throws Exception {
        // RabbitMQ access control: the default exchange is the resource "amq.default"; write refused => 403
        try (Connection c = factory(broker, "limited", "limited", "restricted").newConnection()) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("own.inbox"), false, false, true, null).getQueue();
            ch.basicPublish("", q, null, bytes("allowed"));
            assertThat(text(getWithin(ch, q, true).getBody())).isEqualTo("allowed");
            ch.basicPublish("amq.direct", q, null, bytes("refused"));
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclarePassive(q));
            AMQP.Channel.Close close = assertChannelClosed(t, 403);
            assertThat(close.getReplyText()).startsWith("ACCESS_REFUSED");
            assertUsable(c, "own.after-refusal2");
        }
    }
}
