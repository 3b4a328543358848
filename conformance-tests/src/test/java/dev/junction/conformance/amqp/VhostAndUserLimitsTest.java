package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.assertConnectionClosed;
import static dev.junction.conformance.amqp.AmqpSupport.factory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ-style vhost limits (max-queues, max-connections), user limits (max-connections, max-channels), plus
 * exchanges and bindings per vhost and consumers per channel, refused with RabbitMQ's codes and wording (RabbitMQ
 * docs "Virtual Hosts: Limits", "Per-user Resource Limits", "Consumers: limiting the number of consumers per
 * channel"). Limits are set on the "restricted" vhost and the "limited" user so other tests keep the defaults.
 */
class VhostAndUserLimitsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(BrokerConfig.standard().withLimits("""
              max_consumers_per_channel: 2
              vhosts:
                restricted: { max_queues: 3, max_exchanges: 2, max_bindings: 2, max_connections: 3 }
              users:
                limited: { max_connections: 2, max_channels: 2 }
            """));
    private final List<Connection> opened = new ArrayList<>();

    @AfterEach
    void closeConnections() throws InterruptedException {
        broker.broker().engine().memoryAlarm().force(null);
        for (Connection c : opened) {
            try {
                c.abort();
            } catch (RuntimeException ignored) {
                // already closed by the broker
            }
        }
        opened.clear();
        // The next test starts with every slot free again (the broker counts a connection until its socket closes).
        AmqpSupport.awaitTrue("connections released", () -> broker.broker().engine().connectionQuotas()
                .connections("guest") == 0 && broker.broker().engine().connectionQuotas().connections("limited") == 0);
    }

    private Connection guest(String vhost) throws Exception {
        Connection c = factory(broker, "guest", "guest", vhost).newConnection();
        opened.add(c);
        return c;
    }

    private Connection limited() throws Exception {
        Connection c = factory(broker, "limited", "limited", "restricted").newConnection();
        opened.add(c);
        return c;
    }

    // RabbitMQ: "cannot declare queue 'q': queue limit in vhost 'v' (N) is reached", 406 on the channel.
    @Test
    void theQueuePastTheVhostsMaxQueuesIsRefusedWith406AndRabbitMqsWording() throws Exception {
        Channel ch = guest("restricted").createChannel();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            names.add(ch.queueDeclare("lim.q" + i, false, false, false, null).getQueue());
        }
        // Re-declaring an existing queue is not a new queue.
        ch.queueDeclare("lim.q0", false, false, false, null);

        Throwable refused = catchThrowable(() -> ch.queueDeclare("lim.q3", false, false, false, null));

        AMQP.Channel.Close close = assertChannelClosed(refused, AMQP.PRECONDITION_FAILED);
        assertThat(close.getReplyText())
                .contains("cannot declare queue 'lim.q3': queue limit in vhost 'restricted' (3) is reached");
        Channel again = opened.get(0).createChannel();
        for (String n : names) {
            again.queueDelete(n);
        }
        assertThat(again.queueDeclare("lim.q3", false, false, false, null).getQueue()).isEqualTo("lim.q3");
        again.queueDelete("lim.q3");
    }

    @Test
    void exchangesAndBindingsPastTheirVhostLimitsAreRefusedWith406() throws Exception {
        Channel ch = guest("restricted").createChannel();
        ch.exchangeDeclare("lim.x1", BuiltinExchangeType.TOPIC);
        ch.exchangeDeclare("lim.x2", BuiltinExchangeType.TOPIC); // the built-in amq.* exchanges do not count
        AMQP.Channel.Close exchange = assertChannelClosed(
                catchThrowable(() -> ch.exchangeDeclare("lim.x3", BuiltinExchangeType.TOPIC)), AMQP.PRECONDITION_FAILED);
        assertThat(exchange.getReplyText()).contains("exchange limit in vhost 'restricted' (2) is reached");

        Channel b = opened.get(0).createChannel();
        String q = b.queueDeclare("lim.bq", false, false, false, null).getQueue();
        b.queueBind(q, "lim.x1", "a");
        b.queueBind(q, "lim.x1", "b");
        b.queueBind(q, "lim.x1", "a"); // an existing binding is not a new one
        AMQP.Channel.Close binding = assertChannelClosed(
                catchThrowable(() -> b.queueBind(q, "lim.x1", "c")), AMQP.PRECONDITION_FAILED);
        assertThat(binding.getReplyText()).contains("binding limit in vhost 'restricted' (2) is reached");

        Channel c = opened.get(0).createChannel();
        c.queueDelete(q); // its bindings go with it and free the slots
        c.exchangeDelete("lim.x1");
        c.exchangeDelete("lim.x2");
    }

    // RabbitMQ: connection.close 530 "access to vhost 'v' refused for user 'u': vhost connection limit (N) is reached"
    @Test
    void aConnectionPastTheVhostsMaxConnectionsIsRefusedWith530() throws Exception {
        for (int i = 0; i < 3; i++) {
            guest("restricted");
        }

        Throwable refused = catchThrowable(() -> guest("restricted"));

        AMQP.Connection.Close close = assertConnectionClosed(refused, AMQP.NOT_ALLOWED);
        assertThat(close.getReplyText())
                .contains("access to vhost 'restricted' refused for user 'guest': vhost connection limit (3) is reached");
        guest("/").close(); // other vhosts are not affected
        opened.get(0).close();
        AmqpSupport.awaitTrue("the closed connection's slot released",
                () -> broker.broker().engine().connectionQuotas().connections("guest") == 2);
        guest("restricted").close(); // a closed connection gives its slot back
    }

    // RabbitMQ user limit max-connections: 530 "... User connection limit (N) is reached"
    @Test
    void aConnectionPastTheUsersMaxConnectionsIsRefusedWith530() throws Exception {
        limited();
        limited();

        Throwable refused = catchThrowable(this::limited);

        AMQP.Connection.Close close = assertConnectionClosed(refused, AMQP.NOT_ALLOWED);
        assertThat(close.getReplyText()).contains("User connection limit (2) is reached");
    }

    // RabbitMQ user limit max-channels: 530 "number of channels opened for user 'u' has reached the maximum
    // allowed user limit of (N)", counted over all of the user's connections.
    @Test
    void aChannelPastTheUsersMaxChannelsClosesTheConnectionWith530() throws Exception {
        Connection first = limited();
        first.createChannel();
        Connection second = limited();
        Channel kept = second.createChannel();

        Throwable refused = catchThrowable(second::createChannel);

        AMQP.Connection.Close close = assertConnectionClosed(refused, AMQP.NOT_ALLOWED);
        assertThat(close.getReplyText()).contains(
                "number of channels opened for user 'limited' has reached the maximum allowed user limit of (2)");
        AmqpSupport.awaitTrue("the refused connection closed, its channels with it", () -> !kept.isOpen());
        // The closed connection's channel was given back: the first connection can open one more.
        AmqpSupport.awaitTrue("the closed connection's channels released",
                () -> broker.broker().engine().connectionQuotas().channels("limited") == 1);
        assertThat(first.createChannel()).isNotNull();
    }

    // RabbitMQ's consumer_max_per_channel: the next basic.consume closes the channel.
    @Test
    void aConsumerPastMaxConsumersPerChannelIsRefusedWith406() throws Exception {
        Channel ch = guest("/").createChannel();
        String q = ch.queueDeclare("lim.cq", false, false, false, null).getQueue();
        ch.basicConsume(q, new DefaultConsumer(ch));
        ch.basicConsume(q, new DefaultConsumer(ch));

        Throwable refused = catchThrowable(() -> ch.basicConsume(q, new DefaultConsumer(ch)));

        AMQP.Channel.Close close = assertChannelClosed(refused, AMQP.PRECONDITION_FAILED);
        assertThat(close.getReplyText()).contains("consumer limit of 2 per channel reached");
        Channel other = opened.get(0).createChannel(); // the limit is per channel
        other.basicConsume(q, new DefaultConsumer(other));
        other.queueDelete(q);
    }

    // Declarations stop before memory runs out whatever the limits say: refused while the memory alarm is raised.
    @Test
    void declarationsAreRefusedWhileTheMemoryAlarmIsRaised() throws Exception {
        Channel ch = guest("/").createChannel();
        ch.queueDeclare("alarm.existing", false, false, false, null);
        broker.broker().engine().memoryAlarm().force(true);

        ch.queueDeclare("alarm.existing", false, false, false, null); // not new: still fine
        AMQP.Channel.Close close = assertChannelClosed(
                catchThrowable(() -> ch.queueDeclare("alarm.new", true, false, false, null)), AMQP.PRECONDITION_FAILED);
        assertThat(close.getReplyText()).contains("memory alarm");
        Channel x = opened.get(0).createChannel();
        assertChannelClosed(catchThrowable(() -> x.exchangeDeclare("alarm.x", BuiltinExchangeType.DIRECT, true)),
                AMQP.PRECONDITION_FAILED);

        broker.broker().engine().memoryAlarm().force(false);
        Channel after = opened.get(0).createChannel();
        after.queueDeclare("alarm.new", false, false, true, null);
        after.queueDelete("alarm.new");
        after.queueDelete("alarm.existing");
    }
}
