package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.assertConnectionClosed;
import static dev.junction.conformance.amqp.AmqpSupport.awaitTrue;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.failureOfNextSyncCall;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Error replies as the stock RabbitMQ client surfaces them: a channel error (soft) fails the call with an IOException
 * caused by a ShutdownSignalException whose reason is channel.close; a connection error (hard) with connection.close.
 */
@Timeout(30)
class ErrorCodesTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    private static void assertUsable(Connection c) throws IOException {
        assertThat(c.isOpen()).isTrue();
        Channel ch = c.createChannel();
        String q = ch.queueDeclare().getQueue();
        assertThat(q).startsWith("amq.gen-");
    }

    @Test
    void passiveDeclareOfAMissingQueueIs404ChannelErrorAndTheConnectionStaysUsable() throws Exception {
        // AMQP 0-9-1 queue.declare passive: no such queue => channel.close 404 NOT_FOUND
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.queueDeclarePassive(unique("err.missing")));
            AMQP.Channel.Close close = assertChannelClosed(e, 404);
            assertThat(close.getReplyText()).startsWith("NOT_FOUND");
            assertThat(close.getClassId()).isEqualTo(50);
            assertThat(close.getMethodId()).isEqualTo(10);
            assertThat(ch.isOpen()).isFalse();
            assertUsable(c);
        }
    }

    @Test
    void redeclaringAQueueWithInequivalentArgumentsIs406() throws Exception {
        // AMQP 0-9-1 queue.declare: existing queue with different arguments => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            String q = unique("err.inequivalent");
            c.createChannel().queueDeclare(q, false, false, true, Map.of("x-max-length", 10));
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> ch.queueDeclare(q, false, false, true, Map.of("x-max-length", 20)));
            AMQP.Channel.Close close = assertChannelClosed(e, 406);
            assertThat(close.getReplyText()).startsWith("PRECONDITION_FAILED").contains("x-max-length");
            assertUsable(c);
        }
    }

    @Test
    void usingAnotherConnectionsExclusiveQueueIs405() throws Exception {
        // AMQP 0-9-1 queue.declare exclusive: other connections get channel.close 405 RESOURCE_LOCKED
        try (Connection owner = connect(broker); Connection intruder = connect(broker)) {
            String q = unique("err.exclusive");
            owner.createChannel().queueDeclare(q, false, true, false, null);
            Channel consume = intruder.createChannel();
            IOException e1 = assertThrows(IOException.class, () -> consume.basicConsume(q, true, (t, d) -> { },
                    t -> { }));
            assertChannelClosed(e1, 405);
            Channel passive = intruder.createChannel();
            IOException e2 = assertThrows(IOException.class, () -> passive.queueDeclarePassive(q));
            assertChannelClosed(e2, 405);
            assertUsable(intruder);
        }
    }

    @Test
    void publishingToAMissingExchangeIs404OnTheNextSynchronousCall() throws Exception {
        // AMQP 0-9-1 basic.publish: unknown exchange => channel.close 404 NOT_FOUND (publish itself has no reply)
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.basicPublish(unique("err.no-exchange"), "key", null, bytes("x"));
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclare());
            AMQP.Channel.Close close = assertChannelClosed(t, 404);
            assertThat(close.getClassId()).isEqualTo(60);
            assertThat(close.getMethodId()).isEqualTo(40);
            assertUsable(c);
        }
    }

    @Test
    void consumingFromAQueueWithAnExclusiveConsumerIs403() throws Exception {
        // AMQP 0-9-1 basic.consume exclusive: other consumers are refused => channel.close 403 ACCESS_REFUSED
        try (Connection c = connect(broker)) {
            Channel owner = c.createChannel();
            String q = owner.queueDeclare(unique("err.exclusive-consumer"), false, false, true, null).getQueue();
            owner.basicConsume(q, true, "", false, true, null, (t, d) -> { }, t -> { });
            Channel other = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> other.basicConsume(q, true, (t, d) -> { }, t -> { }));
            assertChannelClosed(e, 403);
            assertUsable(c);
        }
    }

    @Test
    void emptyQueueNameWithoutAPreviouslyDeclaredQueueIs404ChannelError() throws Exception {
        // RabbitMQ rabbit_channel expand_queue_name_shortcut: "no previously declared queue" => channel.close 404
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.queuePurge(""));
            AMQP.Channel.Close close = assertChannelClosed(e, 404);
            assertThat(close.getReplyText()).contains("no previously declared queue");
            assertUsable(c);
        }
    }

    @Test
    void publishingWithAnotherUsersUserIdIs406() throws Exception {
        // RabbitMQ validated user-id: user_id must equal the authenticated user => channel.close 406
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("", q, new AMQP.BasicProperties.Builder().userId("guest").build(), bytes("mine"));
            assertThat(getWithin(ch, q, true).getProps().getUserId()).isEqualTo("guest");
            ch.basicPublish("", q, new AMQP.BasicProperties.Builder().userId("mallory").build(), bytes("forged"));
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclarePassive(q));
            assertChannelClosed(t, 406);
            assertUsable(c);
        }
    }

    @Test
    void replyToThePseudoQueueWithoutAReplyConsumerIs406() throws Exception {
        // RabbitMQ direct reply-to: reply_to=amq.rabbitmq.reply-to without consuming it => 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare().getQueue();
            ch.basicPublish("", q, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                    bytes("request"));
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclarePassive(q));
            assertChannelClosed(t, 406);
            assertUsable(c);
        }
    }

    @Test
    void unknownExchangeTypeIs503HardError() throws Exception {
        // RabbitMQ exchange.declare: invalid exchange type => connection.close 503 COMMAND_INVALID
        Connection c = connect(broker);
        try {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> ch.exchangeDeclare(unique("err.badtype"), "no-such-type"));
            AMQP.Connection.Close close = assertConnectionClosed(e, 503);
            assertThat(close.getReplyText()).startsWith("COMMAND_INVALID");
            awaitTrue("the connection to close", () -> !c.isOpen());
        } finally {
            c.abort(); // close() would throw: the broker already closed it
        }
        AmqpSupport.assertBrokerServes(broker);
    }

    @Test
    void ackingAnUnknownDeliveryTagIs406() throws Exception {
        // AMQP 0-9-1 basic.ack: unknown delivery tag => channel.close 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.basicAck(999, false);
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclare());
            AMQP.Channel.Close close = assertChannelClosed(t, 406);
            assertThat(close.getReplyText()).contains("unknown delivery tag");
            assertUsable(c);
        }
    }

    @Test
    void messageLargerThanMaxMessageSizeIs406AndOtherChannelsAreUnaffected() throws Exception {
        // RabbitMQ max_message_size: larger body => channel.close 406 PRECONDITION_FAILED, other channels unaffected
        try (BrokerFixture small = BrokerFixture.start(60, 1024); Connection c = connect(small)) {
            Channel bystander = c.createChannel();
            String q = bystander.queueDeclare("", false, true, true, null).getQueue();
            Channel ch = c.createChannel();
            ch.basicPublish("", q, null, new byte[2048]);
            Throwable t = failureOfNextSyncCall(() -> ch.queueDeclarePassive(q));
            AMQP.Channel.Close close = assertChannelClosed(t, 406);
            assertThat(close.getReplyText()).startsWith("PRECONDITION_FAILED");
            assertThat(bystander.isOpen()).isTrue();
            byte[] fits = new byte[1024];
            Arrays.fill(fits, (byte) 'x');
            bystander.basicPublish("", q, null, fits);
            assertThat(text(getWithin(bystander, q, true).getBody())).hasSize(1024);
            assertThat(bystander.basicGet(q, true)).as("the oversized message was not enqueued").isNull();
        }
    }

    @Test
    void bindingToTheDefaultExchangeIs403() throws Exception {
        // RabbitMQ queue.bind: "operation not permitted on the default exchange" => channel.close 403 ACCESS_REFUSED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare().getQueue();
            IOException e = assertThrows(IOException.class, () -> ch.queueBind(q, "", "some-key"));
            assertChannelClosed(e, 403);
            assertUsable(c);
        }
    }

    @Test
    void declaringAnExchangeWithTheReservedAmqPrefixIs403() throws Exception {
        // AMQP 0-9-1 exchange.declare: names starting "amq." are reserved => channel.close 403 ACCESS_REFUSED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class, () -> ch.exchangeDeclare("amq.foo", "direct"));
            assertChannelClosed(e, 403);
            assertUsable(c);
        }
    }

    @Test
    void declaringAQueueWithTheReservedAmqPrefixIs403() throws Exception {
        // AMQP 0-9-1 queue.declare: names starting "amq." are reserved => channel.close 403 ACCESS_REFUSED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> ch.queueDeclare("amq.my-queue", false, false, true, null));
            assertChannelClosed(e, 403);
            assertUsable(c);
        }
    }

    @Test
    void consumingFromAMissingQueueIs404() throws Exception {
        // AMQP 0-9-1 basic.consume: no such queue => channel.close 404 NOT_FOUND
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            IOException e = assertThrows(IOException.class,
                    () -> ch.basicConsume(unique("err.nothere"), true, (t, d) -> { }, t -> { }));
            assertChannelClosed(e, 404);
            assertUsable(c);
        }
    }

    @Test
    void reusingAConsumerTagOnTheSameChannelIs530HardError() throws Exception {
        // RabbitMQ basic.consume: "attempt to reuse consumer tag" => connection.close 530 NOT_ALLOWED
        Connection c = connect(broker);
        try {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare().getQueue();
            ch.basicConsume(q, true, "my-tag", (t, d) -> { }, t -> { });
            // The stock client guards its own tags (IllegalStateException), so send the raw basic.consume through
            // Channel.rpc as a client without that guard would.
            assertThrows(IllegalStateException.class,
                    () -> ch.basicConsume(q, true, "my-tag", (t, d) -> { }, t -> { }));
            AMQP.Basic.Consume again = new AMQP.Basic.Consume.Builder().queue(q).consumerTag("my-tag").noAck(true)
                    .build();
            IOException e = assertThrows(IOException.class, () -> ch.rpc(again));
            assertConnectionClosed(e, 530);
            awaitTrue("the connection to close", () -> !c.isOpen());
        } finally {
            c.abort(); // close() would throw: the broker already closed it
        }
        AmqpSupport.assertBrokerServes(broker);
    }
}
