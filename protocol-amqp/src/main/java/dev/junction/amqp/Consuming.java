package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumeRequest;
import dev.junction.routing.api.ConsumerInfo;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.Credit;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * basic.qos, consume, cancel, get, ack, reject, nack and recover; delivery tags and the channel's unacknowledged
 * deliveries. Delivery tags are assigned on the event loop when a delivery is written, so they increase in the
 * order the client sees them [AMQP 0-9-1 delivery-tag]. A method answered at once returns its ok method for the
 * channel to send; consume and get answer through the channel once the queue did.
 */
final class Consuming {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AmqpChannel ch;
    private final ChannelContext context;
    private final Map<String, ChannelConsumer> consumers = new LinkedHashMap<>();
    /** Delivery tags not yet settled, and the settlements of an open transaction. */
    private final Outstanding outstanding;
    private final AckTimeout ackTimeout;
    private long nextTag = 1;
    private int prefetchCount;
    private long prefetchBytes;
    /**
     * The channel-wide limit of basic.qos global=true, shared by every consumer of the channel on every queue from
     * the start (unlimited until set), so a limit set after consumers exist applies to them and counts what they
     * already hold unacknowledged [RabbitMQ: basic.qos global].
     */
    private final Credit channelPrefetch = Credit.channelWide();
    private String replyToName;
    private ChannelConsumer replyToConsumer;

    Consuming(AmqpChannel ch, ChannelContext context) {
        this.ch = ch;
        this.context = context;
        this.outstanding = new Outstanding(context.settlements());
        this.ackTimeout = new AckTimeout(ch, context.consumerTimeoutMs(), outstanding);
    }

    /** Handles one consuming method; returns its ok method when it is answered at once. */
    Optional<Method> method(Method m) {
        switch (m.type()) {
            case BASIC_QOS -> {
                return Optional.of(qos(m));
            }
            case BASIC_CONSUME -> {
                return consume(m);
            }
            case BASIC_CANCEL -> {
                String tag = m.str("consumer-tag");
                ChannelConsumer c = consumers.remove(tag);
                if (c != null) {
                    c.cancel();
                    if (c == replyToConsumer) {
                        // RabbitMQ frees the reply-to address: the channel may consume direct replies again.
                        stopReplyTo();
                    }
                }
                return Optional.of(MethodType.BASIC_CANCEL_OK.with(tag));
            }
            case BASIC_GET -> get(m);
            case BASIC_ACK -> settle(m, m.longValue("delivery-tag"), m.bit("multiple"), Settlement.ACK);
            case BASIC_REJECT -> settle(m, m.longValue("delivery-tag"), false,
                    m.bit("requeue") ? Settlement.REQUEUE : Settlement.DISCARD);
            case BASIC_NACK -> settle(m, m.longValue("delivery-tag"), m.bit("multiple"),
                    m.bit("requeue") ? Settlement.REQUEUE : Settlement.DISCARD);
            case BASIC_RECOVER, BASIC_RECOVER_ASYNC -> {
                if (!m.bit("requeue")) {
                    // As in RabbitMQ: redelivery to the same consumer without requeue is not supported.
                    throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "requeue=false", m.type());
                }
                outstanding.requeueAll();
                // basic.recover-async has no answer.
                return m.type() == MethodType.BASIC_RECOVER ? Optional.of(MethodType.BASIC_RECOVER_OK.with())
                        : Optional.empty();
            }
            default -> throw new IllegalStateException("not a consuming method: " + m.type());
        }
        return Optional.empty();
    }

    private Method qos(Method m) {
        long size = m.longValue("prefetch-size");
        int count = m.integer("prefetch-count");
        if (m.bit("global")) {
            // RabbitMQ: global=true shares one limit among all the channel's consumers, existing ones included.
            channelPrefetch.setLimits(count, size);
        } else {
            prefetchCount = count;
            prefetchBytes = size;
        }
        return MethodType.BASIC_QOS_OK.with();
    }

    /** basic.consume: consume-ok comes once the queue registered the consumer (at once for direct reply-to). */
    private Optional<Method> consume(Method m) {
        String queueName = m.str("queue").isEmpty() ? ch.lastQueue() : m.str("queue");
        String tag = m.str("consumer-tag");
        if (tag.isEmpty()) {
            tag = generateTag();
        }
        if (consumers.containsKey(tag)) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "attempt to reuse consumer tag '"
                    + tag + "'", MethodType.BASIC_CONSUME);
        }
        int max = context.engine().quotas().maxConsumersPerChannel();
        if (max > 0 && consumers.size() >= max) {
            // limits.max_consumers_per_channel, RabbitMQ's consumer_max_per_channel: the channel is closed.
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "consumer limit of " + max
                    + " per channel reached", MethodType.BASIC_CONSUME);
        }
        boolean noAck = m.bit("no-ack");
        if (queueName.equals(DirectReplies.PSEUDO_QUEUE)) {
            return consumeReplyTo(m, tag, noAck);
        }
        context.access().read("queue", queueName, MethodType.BASIC_CONSUME);
        context.access().queueRead(queueName, MethodType.BASIC_CONSUME);
        List<Credit> limits = new ArrayList<>(2);
        if (prefetchCount > 0 || prefetchBytes > 0) {
            // A no-ack consumer draws nothing from it; a stream reads it to refuse a consumer without qos (406).
            limits.add(Credit.of(prefetchCount, prefetchBytes));
        }
        // A no-ack consumer takes no credit from the channel-wide limit but waits while it is used up.
        limits.add(channelPrefetch);
        int priority = priorityOf(queueName, m.table("arguments"));
        ConsumeRequest request = new ConsumeRequest(tag, noAck, m.bit("exclusive"), priority, limits, context.owner(),
                m.table("arguments")); // a stream reads x-stream-offset
        ChannelConsumer sink = new ChannelConsumer(tag);
        sink.info = new ConsumerInfo(queueName, tag, !noAck, prefetchCount, m.bit("exclusive"), m.table("arguments"));
        String consumerTag = tag;
        consumers.put(tag, sink);
        // A missing or exclusive queue is refused by consume, synchronously or through the future: both end in
        // completeOrFail.
        ch.await(() -> context.vhost().consume(queueName, request, sink), (consumer, error) -> {
            if (error != null) {
                consumers.remove(consumerTag);
            }
            if (error == null && consumers.get(consumerTag) != sink) {
                sink.consumer = consumer; // the channel closed while the consumer was being registered
                sink.cancel();
                return;
            }
            ch.completeOrFail(error, m, () -> {
                sink.consumer = consumer;
                ch.answer(m, MethodType.BASIC_CONSUME_OK.with(consumerTag));
            });
        });
        return Optional.empty();
    }

    private int priorityOf(String queueName, Map<String, Object> args) {
        if (!args.containsKey("x-priority")) {
            return 0;
        }
        Object p = args.get("x-priority");
        // A void value is no integer either: 406, as RabbitMQ ("expected integer, got void").
        if (!HeaderValues.isInteger(p)) {
            // A missing or locked queue is reported first (404, 405), as before the argument is looked at; a
            // passive declare is that check.
            context.vhost().declareQueue(new QueueSpec(queueName, false, false, false, Map.of()), context.owner(),
                    true);
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED,
                    "invalid x-priority argument: must be an integer", MethodType.BASIC_CONSUME);
        }
        return ((Number) p).intValue();
    }

    /** Direct reply-to: consume-ok at once, or once replies from other nodes can arrive ({@link DirectReplyTo}). */
    private Optional<Method> consumeReplyTo(Method m, String tag, boolean noAck) {
        if (!noAck) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "reply consumer cannot "
                    + "acknowledge", MethodType.BASIC_CONSUME);
        }
        if (replyToName != null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED,
                    "reply consumer already set", MethodType.BASIC_CONSUME);
        }
        ChannelConsumer sink = new ChannelConsumer(tag);
        consumers.put(tag, sink);
        replyToName = context.directReplyTo().register(context.vhost().name(), message -> ch.deliver(() -> {
            if (!ch.closing() && consumers.get(tag) == sink) {
                try {
                    ch.sendWithContent(MethodType.BASIC_DELIVER.with(tag, nextTag, false,
                            message.exchange(), message.routingKey()), message);
                    nextTag++;
                } catch (IllegalArgumentException e) {
                    // A reply is never acknowledged: nothing to settle.
                    Undeliverable.dropped(context.engine().registry(), message, e);
                }
            }
        }));
        sink.replyTo = true;
        replyToConsumer = sink;
        CompletableFuture<Void> reachable = context.directReplyTo().reachable(context.vhost().name());
        if (reachable.isDone()) {
            return Optional.of(MethodType.BASIC_CONSUME_OK.with(tag)); // alone, or the relay is there: as before
        }
        ch.await(() -> reachable, (v, error) -> ch.completeOrFail(null, m,
                () -> ch.answer(m, MethodType.BASIC_CONSUME_OK.with(tag))));
        return Optional.empty();
    }

    private void stopReplyTo() {
        if (replyToName != null) {
            context.directReplyTo().unregister(replyToName);
            replyToName = null;
        }
        replyToConsumer = null;
    }

    /** Requests sent from a channel consuming direct replies carry the channel's reply-to name. */
    Message rewriteReplyTo(Message message) {
        return DirectReplyTo.rewrite(message, replyToName);
    }

    private void get(Method m) {
        String queueName = m.str("queue").isEmpty() ? ch.lastQueue() : m.str("queue");
        context.access().read("queue", queueName, MethodType.BASIC_GET);
        context.access().queueRead(queueName, MethodType.BASIC_GET);
        boolean noAck = m.bit("no-ack");
        ch.await(() -> context.vhost().get(queueName, context.owner(), noAck), (d, error) -> ch.completeOrFail(error, m, () -> {
            if (d == null) {
                ch.send(MethodType.BASIC_GET_EMPTY.with(""));
                return;
            }
            long tag = nextTag;
            Message msg = d.message();
            try {
                ch.sendWithContent(MethodType.BASIC_GET_OK.with(tag, d.redelivered(),
                        msg.exchange(), msg.routingKey(), (long) d.remaining()), msg);
            } catch (IllegalArgumentException e) {
                // Not representable: settled as for a consumer; the client is told the queue had nothing for it.
                Undeliverable.discard(context.engine().registry(), d, e);
                ch.send(MethodType.BASIC_GET_EMPTY.with(""));
                return;
            }
            nextTag++;
            if (!noAck) {
                ackTimeout.watch(outstanding.delivered(tag, d.source(), d.deliveryId(), ackTimeout.timeoutOf(d)));
            }
        }));
    }

    private void settle(Method m, long tag, boolean multiple, Settlement how) {
        if (how != Settlement.REQUEUE && !context.engine().storeWritable()) {
            // Taken now, the ack would only reach the disk later, or never if the broker stops first: refused
            // visibly instead (the connection closes and its unacked messages are requeued).
            throw AmqpException.connection(ReplyCode.INTERNAL_ERROR, "cannot record the acknowledgement: the "
                    + "store cannot write (disk full or failing)", m.type());
        }
        outstanding.settle(m, tag, multiple, how, ch.publishing.transactional());
    }

    void commit() {
        outstanding.commit();
    }

    void rollback() {
        outstanding.rollback();
        ackTimeout.watch(outstanding.earliest());
    }

    void resume() {
        for (ChannelConsumer c : consumers.values()) {
            if (c.consumer != null) {
                c.consumer.resume();
            }
        }
    }

    /** This channel's consumers (not direct reply-to), as the management API lists them. Event loop. */
    List<ConsumerInfo> consumerInfos() {
        return consumers.values().stream().map(c -> c.info).filter(java.util.Objects::nonNull).toList();
    }

    /** The per-consumer prefetch of basic.qos global=false. */
    int prefetchCount() {
        return prefetchCount;
    }

    int unacknowledged() {
        return outstanding.unackedCount();
    }

    void release() {
        for (ChannelConsumer c : consumers.values()) {
            c.cancel();
        }
        consumers.clear();
        ackTimeout.stop();
        outstanding.release();
        stopReplyTo();
    }

    private static String generateTag() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "amq.ctag-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The sink one basic.consume registers with its queue. Called on the queue's thread. */
    private final class ChannelConsumer implements DeliverySink {
        private final String tag;
        /** The tag as basic.deliver carries it, encoded once. */
        private final byte[] encodedTag;
        volatile Consumption consumer;
        /** What the management API shows of it; null for direct reply-to. Event loop. */
        ConsumerInfo info;
        /**
         * Set once the consumer is cancelled or its channel closed. Until the queue has processed the cancel it
         * may still look for consumers; it must not find this one ready, or with autoack it would stream
         * messages into a channel that drops them.
         */
        private volatile boolean gone;
        boolean replyTo;

        ChannelConsumer(String tag) {
            this.tag = tag;
            this.encodedTag = tag.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void deliver(Delivery d) {
            ch.deliver(() -> write(d));
        }

        private void write(Delivery d) {
            if (ch.closing() || consumers.get(tag) != this) {
                // The channel or consumer went away while the delivery was in flight: give it back.
                if (!d.autoAck()) {
                    d.settle(Settlement.REQUEUE);
                }
                return;
            }
            long deliveryTag = nextTag;
            Message m = d.message();
            try {
                ch.sendDelivery(encodedTag, deliveryTag, d.redelivered(), m);
            } catch (IllegalArgumentException e) {
                // Not representable in AMQP 0-9-1 (a routing key over 255 bytes from an MQTT topic): settled so
                // that the queue moves on and the consumer's credit comes back.
                Undeliverable.discard(context.engine().registry(), d, e);
                return;
            }
            nextTag++;
            if (!d.autoAck()) {
                ackTimeout.watch(outstanding.delivered(deliveryTag, d.source(), d.deliveryId(),
                        ackTimeout.timeoutOf(d)));
            }
        }

        @Override
        public boolean ready() {
            return !gone && ch.canTakeDeliveries();
        }

        @Override
        public void cancelled(CancelReason why) {
            gone = true;
            ch.runOnEventLoop(() -> {
                if (consumers.remove(tag) == this && !ch.closing()
                        && context.terms().clientHasCapability("consumer_cancel_notify")) {
                    // The queue was deleted, or is in exclusive use: tell the client [RabbitMQ consumer cancel
                    // notification], which has no reason to carry.
                    ch.send(MethodType.BASIC_CANCEL.with(tag, true));
                }
            });
        }

        void cancel() {
            gone = true;
            if (consumer != null) {
                consumer.cancel();
            }
        }
    }
}
