package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ's own AMQP 1.0 Java client ({@code com.rabbitmq.client:amqp-client}), unchanged, against Junction:
 * declarations through RabbitMQ 4's management node ({@code /management}, docs/amqp10.md "Management node"),
 * publishing with outcomes, consuming with credit, requeue and dead-lettering.
 */
class RabbitAmqp10ClientTest {
    private static final long WAIT_S = 15;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    private static final RabbitClient client = new RabbitClient(broker);

    private Connection connect() {
        return connect("guest", "/");
    }

    private Connection connect(String user, String vhost) {
        return client.connect(user, user, vhost);
    }

    private static Publisher.Status publish(Publisher p, String body) throws Exception {
        CompletableFuture<Publisher.Status> status = new CompletableFuture<>();
        p.publish(p.message(body.getBytes(StandardCharsets.UTF_8)), ctx -> status.complete(ctx.status()));
        return status.get(WAIT_S, TimeUnit.SECONDS);
    }

    private static Publisher.Status publish(Publisher p, Message message) throws Exception {
        CompletableFuture<Publisher.Status> status = new CompletableFuture<>();
        p.publish(message, ctx -> status.complete(ctx.status()));
        return status.get(WAIT_S, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    @Test
    void declaresBindsPublishesAndConsumesThroughTheManagementNode() throws Exception {
        Connection c = connect();
        Management m = c.management();
        String q = id("q");
        String x = id("x");
        Management.QueueInfo info = m.queue(q).declare();
        assertThat(info.name()).isEqualTo(q);
        assertThat(info.durable()).isTrue();
        assertThat(info.messageCount()).isZero();
        m.queue(q).declare(); // an equivalent declaration again is fine (200)
        m.exchange(x).type(Management.ExchangeType.TOPIC).declare();
        m.binding().sourceExchange(x).destinationQueue(q).key("a.*").bind();

        Publisher p = c.publisherBuilder().exchange(x).key("a.b").build();
        for (int i = 0; i < 5; i++) {
            assertThat(publish(p, "m" + i)).isEqualTo(Publisher.Status.ACCEPTED);
        }
        Publisher unroutable = c.publisherBuilder().exchange(x).key("nowhere").build();
        assertThat(publish(unroutable, "lost")).isEqualTo(Publisher.Status.RELEASED);
        assertThat(m.queueInfo(q).messageCount()).isEqualTo(5);

        // two credits at a time: the client renews them, every message still arrives, in order. (Not one: the
        // client's own top-up, run from inside the handler's accept, can miss with a window of one.)
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        Consumer consumer = c.consumerBuilder().queue(q).initialCredits(2).messageHandler((ctx, msg) -> {
            got.add(text(msg));
            ctx.accept();
        }).build();
        for (int i = 0; i < 5; i++) {
            assertThat(got.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("m" + i);
        }
        assertThat(m.queueInfo(q).consumerCount()).isEqualTo(1);
        consumer.close();

        m.unbind().sourceExchange(x).destinationQueue(q).key("a.*").unbind();
        assertThat(publish(p, "after unbind")).isEqualTo(Publisher.Status.RELEASED);
        m.exchangeDelete(x);
        m.queueDelete(q);
        assertThatThrownBy(() -> m.queueInfo(q)).isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);
    }

    @Test
    void purgeCountsAndExchangeBindingsWithArgumentsUnbind() throws Exception {
        Connection c = connect();
        Management m = c.management();
        String q = id("q");
        String source = id("src");
        String destination = id("dst");
        m.queue(q).exclusive(true).declare();
        m.exchange(source).type(Management.ExchangeType.DIRECT).declare();
        m.exchange(destination).type(Management.ExchangeType.FANOUT).declare();
        m.binding().sourceExchange(destination).destinationQueue(q).bind();
        m.binding().sourceExchange(source).destinationExchange(destination).key("k").argument("why", "test")
                .bind();
        Publisher p = c.publisherBuilder().exchange(source).key("k").build();
        assertThat(publish(p, "one")).isEqualTo(Publisher.Status.ACCEPTED);
        assertThat(publish(p, "two")).isEqualTo(Publisher.Status.ACCEPTED);
        assertThat(m.queuePurge(q).messageCount()).isEqualTo(2);
        assertThat(m.queueInfo(q).messageCount()).isZero();

        // with arguments, the client lists the bindings and deletes the matching one's location
        m.unbind().sourceExchange(source).destinationExchange(destination).key("k").argument("why", "test")
                .unbind();
        assertThat(publish(p, "three")).isEqualTo(Publisher.Status.RELEASED);
    }

    @Test
    void requeueRedeliversAndDiscardDeadLetters() throws Exception {
        Connection c = connect();
        Management m = c.management();
        String dlx = id("dlx");
        String dlq = id("dlq");
        String q = id("q");
        m.exchange(dlx).type(Management.ExchangeType.FANOUT).declare();
        m.queue(dlq).declare();
        m.binding().sourceExchange(dlx).destinationQueue(dlq).bind();
        m.queue(q).deadLetterExchange(dlx).declare();
        Publisher p = c.publisherBuilder().queue(q).build();
        assertThat(publish(p, "first")).isEqualTo(Publisher.Status.ACCEPTED);
        assertThat(publish(p, "second")).isEqualTo(Publisher.Status.ACCEPTED);

        List<String> seen = new CopyOnWriteArrayList<>();
        Consumer consumer = c.consumerBuilder().queue(q).initialCredits(10).messageHandler((ctx, msg) -> {
            String body = text(msg);
            boolean again = seen.contains(body);
            seen.add(body);
            if (body.equals("first") && !again) {
                ctx.requeue();
            } else if (body.equals("second")) {
                ctx.discard();
            } else {
                ctx.accept();
            }
        }).build();
        BlockingQueue<String> dead = new LinkedBlockingQueue<>();
        Consumer deadConsumer = c.consumerBuilder().queue(dlq).messageHandler((ctx, msg) -> {
            dead.add(text(msg));
            ctx.accept();
        }).build();
        assertThat(dead.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("second");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (seen.stream().filter("first"::equals).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(seen.stream().filter("first"::equals).count()).isEqualTo(2);
        consumer.close();
        deadConsumer.close();
        assertThat(m.queueInfo(q).messageCount()).isZero();
    }

    @Test
    void refusalsComeBackAsStatusCodes() {
        Connection c = connect();
        Management m = c.management();
        String q = id("q");
        m.queue(q).declare();
        // a declaration that differs from the existing queue is a conflict (409), as in RabbitMQ
        assertThatThrownBy(() -> m.queue(q).messageTtl(java.time.Duration.ofSeconds(5)).declare())
                .isInstanceOf(AmqpException.class);
        assertThatThrownBy(() -> m.queuePurge(id("missing")))
                .isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);
        assertThatThrownBy(() -> m.binding().sourceExchange(id("missing")).destinationQueue(q).bind())
                .isInstanceOf(AmqpException.AmqpEntityDoesNotExistException.class);
    }

    @Test
    void permissionsAreThoseOfAmqp091() {
        // limited may configure, write and read "own." names only, in "restricted"
        Management m = connect("limited", "restricted").management();
        String own = "own." + id("q");
        m.queue(own).declare();
        assertThatThrownBy(() -> m.queue(id("other")).declare()).isInstanceOf(AmqpException.class)
                .hasMessageContaining("403");
        assertThatThrownBy(() -> m.exchange(id("other")).declare()).isInstanceOf(AmqpException.class)
                .hasMessageContaining("403");
        // binding needs read on the exchange: amq.direct is not limited's
        assertThatThrownBy(() -> m.binding().sourceExchange("amq.direct").destinationQueue(own).bind())
                .isInstanceOf(AmqpException.class).hasMessageContaining("403");
        assertThat(m.queuePurge(own).messageCount()).isZero();
        m.queueDelete(own);
    }

    /**
     * The broker offers ANONYMOUS-RELAY [AMQP 1.0 part 2 section 2.7.1, offered-capabilities], so the client builds
     * a publisher without an address: a link with the null target, each message's {@code to} naming where it goes
     * [part 3 section 3.5.3, target address]. Routed to a queue it is accepted; to an exchange with no binding for
     * its key, released, as for a publisher with an address (docs/amqp10.md, "Addresses").
     */
    @Test
    void aPublisherWithoutAnAddressSendsEachMessageToItsTo() throws Exception {
        Connection c = connect();
        Management m = c.management();
        String q = id("q");
        String x = id("x");
        m.queue(q).declare();
        m.exchange(x).type(Management.ExchangeType.DIRECT).declare();
        Publisher p = c.publisherBuilder().build();
        assertThat(publish(p, p.message(utf8("to the queue")).toAddress().queue(q).message()))
                .isEqualTo(Publisher.Status.ACCEPTED);
        assertThat(publish(p, p.message(utf8("to no binding")).toAddress().exchange(x).key("k").message()))
                .isEqualTo(Publisher.Status.RELEASED);
        m.binding().sourceExchange(x).destinationQueue(q).key("k").bind();
        assertThat(publish(p, p.message(utf8("through the exchange")).toAddress().exchange(x).key("k").message()))
                .isEqualTo(Publisher.Status.ACCEPTED);
        assertThat(m.queueInfo(q).messageCount()).isEqualTo(2);
    }
}
