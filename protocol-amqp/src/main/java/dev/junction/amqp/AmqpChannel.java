package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel: dispatches methods to the declaration, publishing and consuming parts, and owns the channel's
 * life: a soft error closes it with channel.close, after which only close-ok is accepted [AMQP 0-9-1 channel.close].
 * Event-loop only.
 */
final class AmqpChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpChannel.class);

    final AmqpConnection conn;
    final int number;
    final Declarations declarations;
    final Publishing publishing;
    final Consuming consuming;
    private boolean closing;
    boolean flowActive = true;
    /** The queue most recently declared on this channel: an empty queue name in later methods means it. */
    String lastQueue = "";

    AmqpChannel(AmqpConnection conn, int number) {
        this.conn = conn;
        this.number = number;
        this.declarations = new Declarations(this);
        this.publishing = new Publishing(this);
        this.consuming = new Consuming(this);
    }

    void method(Method m) {
        if (closing) {
            if (m.type() == MethodType.CHANNEL_CLOSE_OK) {
                conn.channelClosed(number);
            } else if (m.type() == MethodType.CHANNEL_CLOSE) {
                conn.send(number, MethodType.CHANNEL_CLOSE_OK.with());
            }
            return;
        }
        publishing.expectNoContent(m);
        try {
            dispatch(m);
        } catch (BrokerException e) {
            throw translate(e, m);
        }
    }

    private void dispatch(Method m) {
        switch (m.type()) {
            case CHANNEL_OPEN -> conn.send(number, MethodType.CHANNEL_OPEN_OK.with(""));
            case CHANNEL_CLOSE -> {
                release();
                conn.send(number, MethodType.CHANNEL_CLOSE_OK.with());
                conn.channelClosed(number);
            }
            case CHANNEL_CLOSE_OK -> { }
            case CHANNEL_FLOW -> {
                flowActive = m.bit("active");
                conn.send(number, MethodType.CHANNEL_FLOW_OK.with(flowActive));
                if (flowActive) {
                    resumeConsumers();
                }
            }
            case CHANNEL_FLOW_OK -> { }
            case ACCESS_REQUEST -> conn.send(number, MethodType.ACCESS_REQUEST_OK.with(1));
            case EXCHANGE_DECLARE, EXCHANGE_DELETE, EXCHANGE_BIND, EXCHANGE_UNBIND,
                 QUEUE_DECLARE, QUEUE_BIND, QUEUE_UNBIND, QUEUE_PURGE, QUEUE_DELETE -> declarations.method(m);
            case BASIC_PUBLISH, TX_SELECT, TX_COMMIT, TX_ROLLBACK, CONFIRM_SELECT -> publishing.method(m);
            case BASIC_QOS, BASIC_CONSUME, BASIC_CANCEL, BASIC_GET, BASIC_ACK, BASIC_REJECT, BASIC_NACK,
                 BASIC_RECOVER, BASIC_RECOVER_ASYNC -> consuming.method(m);
            default -> throw AmqpException.connection(ReplyCode.COMMAND_INVALID, ""
                    + m.type().amqpName() + " is not a client method", m.type().classId(), m.type().methodId());
        }
    }

    void contentHeader(ContentHeaderFrame h) {
        if (!closing) {
            publishing.contentHeader(h);
        }
    }

    void contentBody(ContentBodyFrame b) {
        if (!closing) {
            publishing.contentBody(b);
        }
    }

    /** Maps an engine refusal onto the AMQP reply code; 403-406 close the channel, the rest the connection. */
    static AmqpException translate(BrokerException e, Method m) {
        int classId = m == null ? 0 : m.type().classId();
        int methodId = m == null ? 0 : m.type().methodId();
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
        conn.send(number, MethodType.CHANNEL_CLOSE.with(e.replyCode(), e.replyText(), e.classId(), e.methodId()));
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
                : AmqpException.connection(ReplyCode.INTERNAL_ERROR, "" + error, 0, 0);
        if (e.hardError()) {
            conn.fail(e);
        } else {
            fail(e);
        }
    }

    boolean closing() {
        return closing;
    }

    void resumeConsumers() {
        consuming.resume();
    }

    /** Frees what the channel holds: consumers cancelled, unacknowledged deliveries requeued. */
    void release() {
        consuming.release();
        publishing.release();
    }
}
