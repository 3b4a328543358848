package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueInfo;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Vhost;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The exchange and queue classes: declarations, bindings, purge and delete, with RabbitMQ's permission checks. A
 * method answered at once returns its ok method, which the channel sends (unless nowait); purge and delete answer
 * through the channel once the queue did, and so does a declaration a cluster node answers once the metadata log
 * committed it (docs/cluster.md, the engine's asynchronous declarations). Refusals are thrown ({@code BrokerException} from the engine,
 * {@code AmqpException} from the checks here) and translated by the channel.
 */
final class Declarations {
    private final AmqpChannel ch;
    private final ChannelContext context;

    Declarations(AmqpChannel ch, ChannelContext context) {
        this.ch = ch;
        this.context = context;
    }

    /**
     * Handles one exchange or queue method; returns its ok method when it is answered at once (queue.declare-ok
     * names the queue, which later methods with an empty queue name mean [AMQP 0-9-1 queue-name]), empty when the
     * answer comes later.
     */
    Optional<Method> method(Method m) {
        Vhost vhost = context.vhost();
        AccessControl access = context.access();
        MethodType c = m.type();
        switch (m.type()) {
            case EXCHANGE_DECLARE -> {
                String name = entityName(m, "exchange");
                boolean passive = m.bit("passive");
                if (!passive) {
                    access.configure("exchange", name, c);
                    String ae = HeaderValues.asString(
                            m.table("arguments").get("alternate-exchange"));
                    if (ae != null) {
                        // As RabbitMQ: routing into an alternate exchange is writing to it.
                        access.read("exchange", name, c);
                        access.write("exchange", ae, c);
                        access.indirectWrite(ae, c);
                    }
                }
                return whenDone(m, vhost.declareExchangeAsync(new ExchangeSpec(name, m.str("type"), m.bit("durable"),
                        m.bit("auto-delete"), m.bit("internal"), m.table("arguments")), passive),
                        x -> MethodType.EXCHANGE_DECLARE_OK.with());
            }
            case EXCHANGE_DELETE -> {
                String name = entityName(m, "exchange");
                access.configure("exchange", name, c);
                return whenDone(m, vhost.deleteExchangeAsync(name, m.bit("if-unused")),
                        x -> MethodType.EXCHANGE_DELETE_OK.with());
            }
            case EXCHANGE_BIND, EXCHANGE_UNBIND -> {
                String destination = entityName(m, "destination");
                String source = entityName(m, "source");
                access.write("exchange", destination, c);
                access.read("exchange", source, c);
                access.topicRead(vhost, source, m.str("routing-key"), c);
                if (m.type() == MethodType.EXCHANGE_BIND) {
                    access.indirectWrite(destination, c);
                }
                Binding b = Binding.toExchange(source, destination, m.str("routing-key"), m.table("arguments"));
                if (m.type() == MethodType.EXCHANGE_BIND) {
                    return whenDone(m, vhost.bindAsync(b, context.owner()), x -> MethodType.EXCHANGE_BIND_OK.with());
                }
                return whenDone(m, vhost.unbindAsync(b, context.owner()), x -> MethodType.EXCHANGE_UNBIND_OK.with());
            }
            case QUEUE_DECLARE -> {
                return declareQueue(m, vhost, access);
            }
            case QUEUE_BIND, QUEUE_UNBIND -> {
                String queue = strip(queueName(m));
                String exchange = entityName(m, "exchange");
                String key = m.str("routing-key");
                if (m.str("queue").isEmpty() && key.isEmpty()) {
                    // An empty queue name and key mean the last declared queue, keyed by its own name.
                    key = queue;
                }
                access.write("queue", queue, c);
                access.read("exchange", exchange, c);
                access.queue(queue, c);
                access.topicRead(vhost, exchange, key, c);
                Binding b = Binding.toQueue(exchange, queue, key, m.table("arguments"));
                if (m.type() == MethodType.QUEUE_BIND) {
                    return whenDone(m, vhost.bindAsync(b, context.owner()), x -> MethodType.QUEUE_BIND_OK.with());
                }
                return whenDone(m, vhost.unbindAsync(b, context.owner()), x -> MethodType.QUEUE_UNBIND_OK.with());
            }
            case QUEUE_PURGE -> {
                String queue = queueName(m);
                access.read("queue", queue, c);
                access.queue(queue, c);
                ch.await(() -> vhost.purgeQueue(queue, context.owner()), (count, error) ->
                        ch.completeOrFail(error, m, () -> ch.answer(m, MethodType.QUEUE_PURGE_OK.with((long) count))));
            }
            case QUEUE_DELETE -> {
                String queue = strip(queueName(m));
                access.configure("queue", queue, c);
                access.queue(queue, c);
                boolean existed = vhost.queue(queue).isPresent();
                ch.await(() -> vhost.deleteQueueAsync(queue, m.bit("if-unused"), m.bit("if-empty"), context.owner()),
                        (count, error) -> ch.completeOrFail(error, m, () -> {
                            if (existed) {
                                // An MQTT session queue takes its session along (its owner or an administrator
                                // deleted it: access.queue above let nobody else get here).
                                context.engine().authorization().deletedOverAmqp(vhost.name(), queue);
                            }
                            ch.answer(m, MethodType.QUEUE_DELETE_OK.with((long) count));
                        }));
            }
            default -> throw new IllegalStateException("not a declaration: " + m.type());
        }
        return Optional.empty();
    }

    /** queue.declare: returns declare-ok, with the queue's final name (or empty, when it is answered later). */
    private Optional<Method> declareQueue(Method m, Vhost vhost, AccessControl access) {
        String requested = entityName(m, "queue");
        boolean passive = m.bit("passive");
        if (passive && requested.isEmpty()) {
            requested = ch.lastQueue();
        }
        if (passive && DirectReplies.isReplyToName(requested)) {
            // RabbitMQ answers a passive declare of the pseudo-queue, or of a reply-to address whose consumer is
            // live, with declare-ok (no messages, one consumer); any other such name is NOT_FOUND below.
            if (requested.equals(DirectReplies.PSEUDO_QUEUE)
                    || context.directReplyTo().target(vhost.name(), requested) != null) {
                return Optional.of(MethodType.QUEUE_DECLARE_OK.with(requested, 0L, 1L));
            }
        }
        MethodType c = m.type();
        if (!passive && !requested.isEmpty()) {
            access.configure("queue", requested, c);
        }
        if (!requested.isEmpty()) {
            access.queue(requested, c);
        }
        Map<String, Object> args = m.table("arguments");
        String dlx = HeaderValues.asString(args.get("x-dead-letter-exchange"));
        QueueSpec spec = new QueueSpec(requested, m.bit("durable"), m.bit("exclusive"), m.bit("auto-delete"), args);
        java.util.function.Consumer<String> check = name -> {
            // Checked on the final name, so server-named queues are checked too.
            access.configure("queue", name, c);
            if (dlx != null) {
                // As RabbitMQ: dead-lettering reads the queue and writes to the DLX.
                access.read("queue", name, c);
                access.write("exchange", dlx, c);
                access.indirectWrite(dlx, c);
            }
        };
        // A server-named queue gets the name the method's first pass made, so that when the checks stop it to ask an
        // auth service about that name, the pass after creates the queue that was asked about.
        CompletableFuture<QueueInfo> q = vhost.declareQueueAsync(spec,
                !passive && requested.isEmpty() ? access.serverName() : null, context.owner(), passive, check);
        return whenDone(m, q, info ->
                MethodType.QUEUE_DECLARE_OK.with(info.name(), (long) info.messageCount(), (long) info.consumerCount()));
    }

    /**
     * The ok method for {@code m} once {@code done} completed: returned now when it already has (always on a
     * single node, where the engine answers at once; the channel sends it), else sent when it completes (a cluster
     * node answers a durable declaration after the metadata log committed it), the connection's later frames
     * waiting meanwhile so that its replies stay in order. Refusals the engine throws at once go up as they did.
     */
    private <T> Optional<Method> whenDone(Method m, CompletableFuture<T> done, Function<T, Method> ok) {
        if (done.isDone() && !done.isCompletedExceptionally()) {
            return Optional.of(ok.apply(done.join()));
        }
        ch.await(() -> done, (value, error) -> ch.completeOrFail(error, m, () -> {
            Method reply = ok.apply(value);
            if (reply.type() == MethodType.QUEUE_DECLARE_OK) {
                ch.declared(reply.str("queue"));
            }
            ch.answer(m, reply);
        }));
        return Optional.empty();
    }

    /**
     * An exchange or queue name as RabbitMQ reads it in declare, delete, bind and unbind: with CR and LF removed, so
     * a name declared with a stray line break is found under its plain name (RabbitMQ's rabbit_channel strips them
     * there; publish, consume, get and purge take names verbatim, as RabbitMQ does).
     */
    private static String entityName(Method m, String field) {
        return strip(m.str(field));
    }

    private static String strip(String name) {
        if (name.indexOf('\r') < 0 && name.indexOf('\n') < 0) {
            return name;
        }
        return name.replace("\r", "").replace("\n", "");
    }

    /** The method's queue name, or the channel's last declared queue when it is empty [AMQP 0-9-1 queue-name]. */
    private String queueName(Method m) {
        String name = m.str("queue");
        if (!name.isEmpty()) {
            return name;
        }
        if (ch.lastQueue().isEmpty()) {
            throw AmqpException.channel(ReplyCode.NOT_FOUND, "no previously declared queue", m.type());
        }
        return ch.lastQueue();
    }

}
