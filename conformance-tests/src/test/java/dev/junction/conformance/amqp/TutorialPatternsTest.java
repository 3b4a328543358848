package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.confirmChannel;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.drain;
import static dev.junction.conformance.amqp.AmqpSupport.next;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.MessageProperties;
import dev.junction.conformance.ConformanceBroker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The six RabbitMQ tutorials, written as an unmodified RabbitMQ application would write them. */
@Timeout(30)
class TutorialPatternsTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void workQueueWithQos1SharesWorkAndRedeliversUnackedToTheOtherWorkerWhenTheChannelCloses() throws Exception {
        // RabbitMQ tutorial 2 / AMQP 0-9-1 basic.qos + channel.close: unacked messages are requeued, redelivered=true
        try (Connection c = connect(broker)) {
            String q = unique("tut.work");
            Channel producer = c.createChannel();
            producer.queueDeclare(q, true, false, false, null);

            Channel lazyWorker = c.createChannel();
            lazyWorker.basicQos(1);
            BlockingQueue<Delivery> heldByLazy = new LinkedBlockingQueue<>();
            lazyWorker.basicConsume(q, false, (tag, d) -> heldByLazy.add(d), tag -> { });

            Channel busyWorker = c.createChannel();
            busyWorker.basicQos(1);
            BlockingQueue<Delivery> doneByBusy = new LinkedBlockingQueue<>();
            busyWorker.basicConsume(q, false, (tag, d) -> {
                doneByBusy.add(d);
                busyWorker.basicAck(d.getEnvelope().getDeliveryTag(), false);
            }, tag -> { });

            for (int i = 1; i <= 6; i++) {
                producer.basicPublish("", q, MessageProperties.PERSISTENT_TEXT_PLAIN, bytes("task-" + i));
            }

            Delivery held = next(heldByLazy, "the lazy worker's first task");
            List<String> done = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                done.add(text(next(doneByBusy, "task " + (i + 1) + " of the busy worker").getBody()));
            }
            assertThat(held.getEnvelope().isRedeliver()).isFalse();
            assertThat(heldByLazy).as("prefetch 1 and no ack: the lazy worker gets nothing more").isEmpty();
            List<String> all = new ArrayList<>(done);
            all.add(text(held.getBody()));
            assertThat(all).containsExactlyInAnyOrder("task-1", "task-2", "task-3", "task-4", "task-5", "task-6");

            lazyWorker.close();
            Delivery again = next(doneByBusy, "the lazy worker's task, requeued to the busy worker");
            assertThat(text(again.getBody())).isEqualTo(text(held.getBody()));
            assertThat(again.getEnvelope().isRedeliver()).isTrue();
        }
    }

    @Test
    void publishSubscribeFanoutReachesEveryServerNamedExclusiveQueue() throws Exception {
        // RabbitMQ tutorial 3: fanout ignores the routing key; queue.declare with an empty name => amq.gen-* exclusive
        String exchange = unique("tut.logs");
        String q1;
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(exchange, BuiltinExchangeType.FANOUT);
            q1 = ch.queueDeclare().getQueue();
            String q2 = ch.queueDeclare().getQueue();
            assertThat(q1).startsWith("amq.gen-").isNotEqualTo(q2);
            ch.queueBind(q1, exchange, "");
            ch.queueBind(q2, exchange, "");
            BlockingQueue<String> got1 = new LinkedBlockingQueue<>();
            BlockingQueue<String> got2 = new LinkedBlockingQueue<>();
            ch.basicConsume(q1, true, (t, d) -> got1.add(text(d.getBody())), t -> { });
            ch.basicConsume(q2, true, (t, d) -> got2.add(text(d.getBody())), t -> { });

            Channel pub = c.createChannel();
            for (String m : List.of("log-1", "log-2", "log-3")) {
                pub.basicPublish(exchange, "ignored-key", null, bytes(m));
            }
            for (BlockingQueue<String> got : List.of(got1, got2)) {
                assertThat(List.of(next(got, "log-1"), next(got, "log-2"), next(got, "log-3")))
                        .containsExactly("log-1", "log-2", "log-3");
            }
        }
        // The exclusive queue died with its connection.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String gone = q1;
            IOException e = assertThrows(IOException.class, () -> ch.queueDeclarePassive(gone));
            AmqpSupport.assertChannelClosed(e, 404);
        }
    }

    @Test
    void routingWithDirectExchangeDeliversByExactKey() throws Exception {
        // RabbitMQ tutorial 4: a direct exchange routes to queues whose binding key equals the routing key
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String exchange = unique("tut.direct_logs");
            ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT);
            String errors = ch.queueDeclare().getQueue();
            String all = ch.queueDeclare().getQueue();
            ch.queueBind(errors, exchange, "error");
            for (String severity : List.of("info", "warning", "error")) {
                ch.queueBind(all, exchange, severity);
            }
            for (String severity : List.of("info", "warning", "error", "debug")) {
                ch.basicPublish(exchange, severity, null, bytes(severity + "-msg"));
            }
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            assertThat(drain(ch, errors)).containsExactly("error-msg");
            assertThat(drain(ch, all)).containsExactly("info-msg", "warning-msg", "error-msg");
        }
    }

    @Test
    void topicsMatchStarAsOneWordAndHashAsZeroOrMoreWords() throws Exception {
        // RabbitMQ tutorial 5 / AMQP 0-9-1 topic exchange: '*' = exactly one word, '#' = zero or more words
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String exchange = unique("tut.topic_logs");
            ch.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC);
            String q1 = ch.queueDeclare().getQueue();
            String q2 = ch.queueDeclare().getQueue();
            ch.queueBind(q1, exchange, "*.orange.*");
            ch.queueBind(q2, exchange, "*.*.rabbit");
            ch.queueBind(q2, exchange, "lazy.#");
            List<String> keys = List.of("quick.orange.rabbit", "lazy.orange.elephant", "quick.orange.fox",
                    "lazy.brown.fox", "lazy.pink.rabbit", "quick.brown.fox", "orange", "quick.orange.male.rabbit",
                    "lazy.orange.male.rabbit", "lazy");
            for (String key : keys) {
                ch.basicPublish(exchange, key, null, bytes(key));
            }
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);
            assertThat(drain(ch, q1)).containsExactly("quick.orange.rabbit", "lazy.orange.elephant",
                    "quick.orange.fox");
            // lazy.pink.rabbit matches both of q2's bindings and is still delivered once.
            assertThat(drain(ch, q2)).containsExactly("quick.orange.rabbit", "lazy.orange.elephant",
                    "lazy.brown.fox", "lazy.pink.rabbit", "lazy.orange.male.rabbit", "lazy");
        }
    }

    @Test
    void headersExchangeMatchesAllOrAnyOfTheBindingHeaders() throws Exception {
        // AMQP 0-9-1 headers exchange: x-match=all needs every binding header, x-match=any needs one
        try (Connection c = connect(broker)) {
            Channel ch = confirmChannel(c);
            String exchange = unique("tut.headers");
            ch.exchangeDeclare(exchange, BuiltinExchangeType.HEADERS);
            String allQ = ch.queueDeclare().getQueue();
            String anyQ = ch.queueDeclare().getQueue();
            ch.queueBind(allQ, exchange, "", Map.of("x-match", "all", "format", "pdf", "type", "report"));
            ch.queueBind(anyQ, exchange, "", Map.of("x-match", "any", "format", "pdf", "type", "log"));

            publishWithHeaders(ch, exchange, "pdf-report", Map.of("format", "pdf", "type", "report"));
            publishWithHeaders(ch, exchange, "pdf-only", Map.of("format", "pdf"));
            publishWithHeaders(ch, exchange, "log-only", Map.of("type", "log"));
            publishWithHeaders(ch, exchange, "zip-report", Map.of("format", "zip", "type", "report"));
            publishWithHeaders(ch, exchange, "no-headers", null);
            ch.waitForConfirmsOrDie(AmqpSupport.WAIT_MS);

            assertThat(drain(ch, allQ)).containsExactly("pdf-report");
            assertThat(drain(ch, anyQ)).containsExactly("pdf-report", "pdf-only", "log-only");
        }
    }

    private static void publishWithHeaders(Channel ch, String exchange, String body, Map<String, Object> headers)
            throws IOException {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .headers(headers == null ? null : new HashMap<>(headers)).build();
        ch.basicPublish(exchange, "any-key", props, bytes(body));
    }

    /** An RPC server on its own connection: replies fib(n) to reply_to with the request's correlation id. */
    private static Connection startFibServer(String queue, BlockingQueue<String> seenReplyTo) throws Exception {
        Connection server = connect(broker);
        Channel ch = server.createChannel();
        ch.queueDeclare(queue, false, false, true, null);
        ch.basicQos(1);
        ch.basicConsume(queue, false, (tag, d) -> {
            AMQP.BasicProperties req = d.getProperties();
            seenReplyTo.add(String.valueOf(req.getReplyTo()));
            int n = Integer.parseInt(text(d.getBody()));
            AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
                    .correlationId(req.getCorrelationId()).build();
            ch.basicPublish("", req.getReplyTo(), reply, bytes(Integer.toString(fib(n))));
            ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
        }, tag -> { });
        return server;
    }

    private static int fib(int n) {
        return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }

    @Test
    void rpcWithDirectReplyToDeliversTheReplyToTheCallersPseudoQueue() throws Exception {
        // RabbitMQ direct reply-to: consume amq.rabbitmq.reply-to with no-ack, publish with reply_to set to it
        String rpcQueue = unique("tut.rpc_queue");
        BlockingQueue<String> seenReplyTo = new LinkedBlockingQueue<>();
        try (Connection server = startFibServer(rpcQueue, seenReplyTo); Connection client = connect(broker)) {
            Channel ch = client.createChannel();
            BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
            ch.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d), tag -> { });
            String correlationId = UUID.randomUUID().toString();
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                    .correlationId(correlationId).replyTo("amq.rabbitmq.reply-to").build();
            ch.basicPublish("", rpcQueue, props, bytes("10"));

            Delivery reply = next(replies, "the RPC reply");
            assertThat(text(reply.getBody())).isEqualTo("55");
            assertThat(reply.getProperties().getCorrelationId()).isEqualTo(correlationId);
            // RabbitMQ rewrites reply_to into a routable pseudo-queue name the server publishes to.
            assertThat(next(seenReplyTo, "the request's reply_to")).startsWith("amq.rabbitmq.reply-to.");
            assertThat(server.isOpen()).isTrue();
        }
    }

    /**
     * A direct reply-to name is its vhost's: a server connected to another vhost that learnt the name cannot write
     * into the requester's channel through it. Its mandatory reply comes back unroutable (RabbitMQ: a reply-to name
     * is reached through the default exchange of its own vhost), and the requester gets only its own vhost's reply.
     */
    @Test
    void aDirectReplyToNameIsNotReachedFromAnotherVhost() throws Exception {
        try (Connection requester = connect(broker);
                Connection stranger = AmqpSupport.factory(broker, "guest", "guest", "restricted").newConnection();
                Connection server = connect(broker)) {
            Channel ch = requester.createChannel();
            BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
            ch.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d), tag -> { });
            String requests = unique("tut.vhost_rpc");
            Channel serverCh = server.createChannel();
            serverCh.queueDeclare(requests, false, false, true, null);
            ch.basicPublish("", requests, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                    bytes("request"));
            String replyTo = next(drainOne(serverCh, requests), "the request").getProperties().getReplyTo();
            assertThat(replyTo).startsWith("amq.rabbitmq.reply-to.");

            Channel other = confirmChannel(stranger);
            BlockingQueue<String> returned = new LinkedBlockingQueue<>();
            other.addReturnListener(r -> returned.add(r.getReplyText()));
            other.basicPublish("", replyTo, true, MessageProperties.TEXT_PLAIN, bytes("from another vhost"));
            other.waitForConfirmsOrDie(10_000);
            assertThat(next(returned, "the other vhost's reply returned")).isEqualTo("NO_ROUTE");

            serverCh.basicPublish("", replyTo, true, MessageProperties.TEXT_PLAIN, bytes("reply"));
            assertThat(text(next(replies, "the own vhost's reply").getBody())).isEqualTo("reply");
            assertThat(replies).isEmpty();
        }
    }

    /**
     * A reply that itself names {@code amq.rabbitmq.reply-to} as its reply_to, from a channel that does not consume
     * it, is refused with 406 PRECONDITION_FAILED as any such publish is (RabbitMQ: "fast reply consumer does not
     * exist"), also when it goes straight to a requester on the same node. Before, that path skipped the check and
     * delivered the reply with the pseudo-queue as its reply_to, which nobody can answer.
     */
    @Test
    void aDirectReplyNamingThePseudoQueueFromAChannelWithoutItsConsumerIsRefused() throws Exception {
        try (Connection requester = connect(broker); Connection server = connect(broker)) {
            Channel ch = requester.createChannel();
            BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
            ch.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d), tag -> { });
            String requests = unique("tut.chained_rpc");
            Channel serverCh = server.createChannel();
            serverCh.queueDeclare(requests, false, false, true, null);
            ch.basicPublish("", requests, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                    bytes("request"));
            String replyTo = next(drainOne(serverCh, requests), "the request").getProperties().getReplyTo();

            Channel replier = confirmChannel(server);
            Exception refused = assertThrows(Exception.class, () -> {
                replier.basicPublish("", replyTo, new AMQP.BasicProperties.Builder()
                        .replyTo("amq.rabbitmq.reply-to").build(), bytes("reply"));
                replier.waitForConfirmsOrDie(10_000);
            });
            assertThat(refused).hasStackTraceContaining("reply-code=406")
                    .hasStackTraceContaining("fast reply consumer does not exist");
            assertThat(replies).isEmpty();
        }
    }

    private static BlockingQueue<Delivery> drainOne(Channel ch, String queue) throws IOException {
        BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        ch.basicConsume(queue, true, (tag, d) -> got.add(d), tag -> { });
        return got;
    }

    @Test
    void rpcWithAnExclusiveReplyQueueMatchesRepliesByCorrelationId() throws Exception {
        // RabbitMQ tutorial 6: exclusive callback queue + correlation_id pairs replies with requests
        String rpcQueue = unique("tut.rpc_queue");
        BlockingQueue<String> seenReplyTo = new LinkedBlockingQueue<>();
        try (Connection server = startFibServer(rpcQueue, seenReplyTo); Connection client = connect(broker)) {
            Channel ch = client.createChannel();
            String callback = ch.queueDeclare("", false, true, true, null).getQueue();
            BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
            ch.basicConsume(callback, true, (tag, d) -> replies.add(d), tag -> { });
            Map<String, String> expected = new HashMap<>();
            for (int n : new int[] {7, 12, 20}) {
                String id = UUID.randomUUID().toString();
                expected.put(id, Integer.toString(fib(n)));
                ch.basicPublish("", rpcQueue, new AMQP.BasicProperties.Builder().correlationId(id)
                        .replyTo(callback).build(), bytes(Integer.toString(n)));
            }
            Map<String, String> got = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                Delivery d = next(replies, "RPC reply " + (i + 1));
                got.put(d.getProperties().getCorrelationId(), text(d.getBody()));
            }
            assertThat(got).isEqualTo(expected);
            assertThat(next(seenReplyTo, "reply_to")).isEqualTo(callback);
            assertThat(server.isOpen()).isTrue();
        }
    }
}
