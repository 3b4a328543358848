package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Message;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel: dispatches methods to the declaration, publishing and consuming parts, and owns the channel's
 * life: a soft error closes it with channel.close, after which only close-ok is accepted [AMQP 0-9-1 channel.close].
 * The parts return the ok method of what they answer at once, sent here ({@link #answer}: not when the client asked
 * for nowait), and throw their refusals; an engine refusal ({@code BrokerException}) is translated into its AMQP
 * reply code here, in {@link #translate}, and nowhere else. Event-loop only, except {@link #deliver} and
 * {@link #canTakeDeliveries}.
 */
final class AmqpChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpChannel.class);

    private final AmqpConnection conn;
    final int number;
    private final FrameOutput out;
    private final Declarations declarations;
    final Publishing publishing;
    final Consuming consuming;
    private boolean closing;
    /** channel.flow: false while the client asked us to stop sending content [AMQP 0-9-1 channel.flow]. */
    private volatile boolean flowActive = true;
    /** The queue most recently declared on this channel: an empty queue name in later methods means it. */
    private String lastQueue = "";

    AmqpChannel(AmqpConnection conn, int number, ChannelContext context, FrameOutput out) {
        this.conn = conn;
        this.number = number;
        this.out = out;
        this.declarations = new Declarations(this, context);
        this.publishing = new Publishing(this, context);
        this.consuming = new Consuming(this, context);
    }

    void method(Method m) {
        if (closing) {
            if (m.type() == MethodType.CHANNEL_CLOSE_OK) {
                conn.channelClosed(number);
            } else if (m.type() == MethodType.CHANNEL_CLOSE) {
                send(MethodType.CHANNEL_CLOSE_OK.with());
            }
            return;
        }
        publishing.expectNoContent(m);
        Optional<Method> ok;
        try {
            ok = dispatch(m);
        } catch (BrokerException e) {
            throw translate(e, m);
        }
        ok.ifPresent(reply -> {
            if (reply.type() == MethodType.QUEUE_DECLARE_OK) {
                // Later methods with an empty queue name mean this queue [AMQP 0-9-1 queue-name], nowait or not.
                lastQueue = reply.str("queue");
            }
            answer(m, reply);
        });
    }

    /** Handles {@code m}; returns its ok method when it is answered at once, empty otherwise. */
    private Optional<Method> dispatch(Method m) {
        switch (m.type()) {
            case CHANNEL_OPEN -> send(MethodType.CHANNEL_OPEN_OK.with(""));
            case CHANNEL_CLOSE -> {
                release();
                send(MethodType.CHANNEL_CLOSE_OK.with());
                conn.channelClosed(number);
            }
            case CHANNEL_CLOSE_OK -> { }
            case CHANNEL_FLOW -> {
                flowActive = m.bit("active");
                send(MethodType.CHANNEL_FLOW_OK.with(flowActive));
                if (flowActive) {
                    resumeConsumers();
                }
            }
            case CHANNEL_FLOW_OK -> { }
            case ACCESS_REQUEST -> send(MethodType.ACCESS_REQUEST_OK.with(1));
            default -> {
                return part(m);
            }
        }
        return Optional.empty();
    }

    /** The exchange, queue, basic, tx and confirm methods, handled by the channel's parts. */
    private Optional<Method> part(Method m) {
        return switch (m.type()) {
            case EXCHANGE_DECLARE, EXCHANGE_DELETE, EXCHANGE_BIND, EXCHANGE_UNBIND,
                 QUEUE_DECLARE, QUEUE_BIND, QUEUE_UNBIND, QUEUE_PURGE, QUEUE_DELETE -> declarations.method(m);
            case BASIC_PUBLISH, TX_SELECT, TX_COMMIT, TX_ROLLBACK, CONFIRM_SELECT -> publishing.method(m);
            case BASIC_QOS, BASIC_CONSUME, BASIC_CANCEL, BASIC_GET, BASIC_ACK, BASIC_REJECT, BASIC_NACK,
                 BASIC_RECOVER, BASIC_RECOVER_ASYNC -> consuming.method(m);
            default -> throw notAClientMethod(m);
        };
    }

    private static AmqpException notAClientMethod(Method m) {
        return AmqpException.connection(ReplyCode.COMMAND_INVALID, ""
                + m.type().amqpName() + " is not a client method", m.type());
    }

    /** Sends {@code ok}, the answer to {@code m}, unless {@code m} asked for none (nowait). */
    void answer(Method m, Method ok) {
        if (!m.type().hasField("nowait") || !m.bit("nowait")) {
            send(ok);
        }
    }

    void contentHeader(ContentHeaderFrame h) {
        content(() -> publishing.contentHeader(h));
    }

    void contentBody(ContentBodyFrame b) {
        content(() -> publishing.contentBody(b));
    }

    /** A content frame of a publish; a refusal found while it completes is the publish's [AMQP 0-9-1 4.2.6]. */
    private void content(Runnable frame) {
        if (closing) {
            return;
        }
        try {
            frame.run();
        } catch (BrokerException e) {
            throw translate(e, MethodType.BASIC_PUBLISH);
        }
    }

    /** Maps an engine refusal onto the AMQP reply code; 403-406 close the channel, the rest (530, 540, 541) the connection. */
    static AmqpException translate(BrokerException e, Method m) {
        return translate(e, m == null ? null : m.type());
    }

    static AmqpException translate(BrokerException e, MethodType cause) {
        int classId = cause == null ? 0 : cause.classId();
        int methodId = cause == null ? 0 : cause.methodId();
        ErrorKind kind = e.kind();
        return switch (kind) {
            case ACCESS_REFUSED -> AmqpException.channel(ReplyCode.ACCESS_REFUSED, "" + e.getMessage(),
                    classId, methodId);
            case NOT_FOUND -> AmqpException.channel(ReplyCode.NOT_FOUND, "" + e.getMessage(),
                    classId, methodId);
            case RESOURCE_LOCKED -> AmqpException.channel(ReplyCode.RESOURCE_LOCKED, ""
                    + e.getMessage(), classId, methodId);
            case PRECONDITION_FAILED -> AmqpException.channel(ReplyCode.PRECONDITION_FAILED, ""
                    + e.getMessage(), classId, methodId);
            case COMMAND_INVALID -> AmqpException.connection(ReplyCode.COMMAND_INVALID, ""
                    + e.getMessage(), classId, methodId);
            case NOT_ALLOWED -> AmqpException.connection(ReplyCode.NOT_ALLOWED, "" + e.getMessage(),
                    classId, methodId);
            case NOT_IMPLEMENTED -> AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, ""
                    + e.getMessage(), classId, methodId);
            case INTERNAL_ERROR -> AmqpException.connection(ReplyCode.INTERNAL_ERROR, ""
                    + e.getMessage(), classId, methodId);
        };
    }

    /** A soft error: release the channel's resources and send channel.close; wait for close-ok. */
    void fail(AmqpException e) {
        if (closing) {
            return;
        }
        LOG.info("{} channel {}: closing channel: {}", conn.peer(), number, e.getMessage());
        release();
        closing = true;
        send(MethodType.CHANNEL_CLOSE.with(e.replyCode(), e.replyText(), e.classId(), e.methodId()));
    }

    /** Handles the outcome of an asynchronous engine call made for method {@code m}. */
    void completeOrFail(Throwable error, Method m, Runnable onSuccess) {
        if (closing) {
            return;
        }
        if (error == null) {
            onSuccess.run();
            return;
        }
        AmqpException e = error instanceof BrokerException b ? translate(b, m)
                : error instanceof AmqpException a ? a
                : AmqpException.connection(ReplyCode.INTERNAL_ERROR, "" + error);
        if (e.hardError()) {
            conn.fail(e);
        } else {
            fail(e);
        }
    }

    boolean closing() {
        return closing;
    }

    /** The queue most recently declared on this channel, or "" [AMQP 0-9-1 queue-name]. */
    String lastQueue() {
        return lastQueue;
    }

    /** A queue.declare answered later (a cluster's commit): later methods with an empty queue name mean it. */
    void declared(String queue) {
        lastQueue = queue;
    }

    void send(Method m) {
        out.send(number, m);
    }

    /** Writes a method with its content on this channel; see {@link FrameOutput#sendWithContent}. */
    void sendWithContent(Method m, Message message) {
        out.sendWithContent(number, m, message);
    }

    /** Writes basic.deliver with its content; see {@link FrameOutput#sendDelivery}. */
    void sendDelivery(byte[] consumerTag, long deliveryTag, boolean redelivered, Message message) {
        out.sendDelivery(number, consumerTag, deliveryTag, redelivered, message);
    }

    /** See {@link InboundOrder#await}: the connection's later frames wait until {@code call}'s answer was handled. */
    <T> void await(Supplier<CompletableFuture<T>> call, BiConsumer<T, Throwable> then) {
        conn.await(call, then);
    }

    void runOnEventLoop(Runnable r) {
        conn.runOnEventLoop(r);
    }

    ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
        return conn.schedule(r, delay, unit);
    }

    /** Called by queue threads: hands a delivery for this channel to the event loop. */
    void deliver(Runnable onEventLoop) {
        out.deliver(onEventLoop);
    }

    /** Whether this channel's consumers may be given more deliveries now. Any thread. */
    boolean canTakeDeliveries() {
        return flowActive && out.canTakeDeliveries();
    }

    void resumeConsumers() {
        consuming.resume();
    }

    /** This channel as the management API lists it. Event loop. */
    ChannelInfo info() {
        return new ChannelInfo(number, consuming.prefetchCount(), consuming.unacknowledged(),
                publishing.confirmMode(), publishing.transactional(), consuming.consumerInfos());
    }

    /** Frees what the channel holds: consumers cancelled, unacknowledged deliveries requeued. */
    void release() {
        consuming.release();
        publishing.release();
    }
}
