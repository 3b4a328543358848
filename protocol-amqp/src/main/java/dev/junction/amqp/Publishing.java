package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * basic.publish and its content frames, publisher confirms, mandatory returns, transactions and direct reply-to.
 * A publish is a method frame, a content header and as many body frames as the header's size needs; any other
 * frame in between is an UNEXPECTED_FRAME hard error [AMQP 0-9-1 4.2.6].
 *
 * <p>The target of a publish is checked when its method arrives, before any content (write permission, then the
 * exchange's existence), as RabbitMQ does; the content that follows a refused publish is discarded unread. The
 * body grows with the frames that arrive and never from the size a header announces, and every byte is counted
 * against the connection's {@link ContentInFlight}.
 */
final class Publishing {
    private final AmqpChannel ch;
    private final ChannelContext context;
    private Method publish;
    private MessageProperties properties;
    /** The size the content header announced: an upper bound on what may arrive, not an allocation. */
    private long bodySize;
    /** The body so far: grown as frames arrive (at most doubling, never past bodySize). */
    private byte[] body;
    private int received;
    /** Content of complete publishes waiting for tx.commit: it is held in flight until commit or rollback. */
    private long txBytes;
    private boolean confirmMode;
    private Confirms confirms;
    private boolean txMode;
    private final List<Pending> txPublishes = new ArrayList<>();

    private record Pending(Method method, Message message) {
    }

    Publishing(AmqpChannel ch, ChannelContext context) {
        this.ch = ch;
        this.context = context;
    }

    /** Handles basic.publish, confirm.select and the tx methods; returns the ok method when answered at once. */
    Optional<Method> method(Method m) {
        switch (m.type()) {
            case BASIC_PUBLISH -> {
                if (m.bit("immediate")) {
                    // RabbitMQ dropped support for immediate in 3.0 and answers with NOT_IMPLEMENTED.
                    throw AmqpException.connection(ReplyCode.NOT_IMPLEMENTED, "immediate=true",
                            MethodType.BASIC_PUBLISH);
                }
                checkTarget(m);
                // A publisher from its first publish method on: a raised memory alarm stops reading before the content.
                context.flow().published();
                publish = m;
                return Optional.empty();
            }
            case CONFIRM_SELECT -> {
                if (txMode) {
                    throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED,
                            "cannot switch from tx to confirm mode", MethodType.CONFIRM_SELECT);
                }
                if (!confirmMode) {
                    confirmMode = true;
                    confirms = new Confirms(ch::runOnEventLoop, this::confirmArrived);
                }
                return Optional.of(MethodType.CONFIRM_SELECT_OK.with());
            }
            case TX_SELECT -> {
                if (confirmMode) {
                    throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED,
                            "cannot switch from confirm to tx mode", MethodType.TX_SELECT);
                }
                txMode = true;
                return Optional.of(MethodType.TX_SELECT_OK.with());
            }
            case TX_COMMIT -> {
                requireTx(m);
                List<CompletableFuture<Boolean>> routed = new ArrayList<>(txPublishes.size());
                context.content().dropped(txBytes); // route() counts each message again until its queues have it
                txBytes = 0;
                for (Pending p : txPublishes) {
                    routed.add(route(p.method, p.message, true));
                }
                txPublishes.clear();
                ch.consuming.commit();
                // commit-ok only once every queue holds the committed messages (and the store has them).
                ch.await(() -> CompletableFuture.allOf(routed.toArray(new CompletableFuture<?>[0])),
                        (ignored, error) -> ch.completeOrFail(error, m,
                                () -> ch.answer(m, MethodType.TX_COMMIT_OK.with())));
                return Optional.empty();
            }
            case TX_ROLLBACK -> {
                requireTx(m);
                txPublishes.clear();
                context.content().dropped(txBytes);
                txBytes = 0;
                ch.consuming.rollback();
                return Optional.of(MethodType.TX_ROLLBACK_OK.with());
            }
            default -> throw new IllegalStateException("not a publishing method: " + m.type());
        }
    }

    /**
     * RabbitMQ's checks on basic.publish, in its order: write permission on the exchange (403 ACCESS_REFUSED), the
     * exchange exists (404 NOT_FOUND) and is not internal (403). All are channel errors.
     */
    private void checkTarget(Method m) {
        String exchange = m.str("exchange");
        context.access().write("exchange", exchange, MethodType.BASIC_PUBLISH);
        if (exchange.isEmpty()) {
            return;
        }
        // topic_path is asked now, while the method can still be handled again; decided when the content is complete.
        context.access().askTopicWrite(context.vhost(), exchange, m.str("routing-key"));
        var vhost = context.vhost();
        var x = vhost.exchange(exchange).orElseThrow(() -> BrokerException.notFound(
                "no exchange '" + exchange + "' in vhost '" + vhost.name() + "'"));
        if (x.internal()) {
            throw BrokerException.accessRefused("cannot publish to internal exchange '"
                    + exchange + "' in vhost '" + vhost.name() + "'");
        }
    }

    private void requireTx(Method m) {
        if (!txMode) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED,
                    "channel is not transactional", m.type());
        }
    }

    boolean confirmMode() {
        return confirmMode;
    }

    boolean transactional() {
        return txMode;
    }

    /** A method frame arrived: it must not interrupt a publish's content. */
    void expectNoContent(Method m) {
        if (publish != null && properties == null) {
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "expected content header "
                    + "for class 60, got non content header frame instead", m.type());
        }
        if (properties != null) {
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "expected content body, "
                    + "got non content body frame instead", m.type());
        }
    }

    void contentHeader(ContentHeaderFrame h) {
        if (publish == null || properties != null) {
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                    "content header without basic.publish", MethodType.BASIC_PUBLISH);
        }
        if (h.classId() != MethodType.BASIC_PUBLISH.classId()) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "content header for class "
                    + h.classId() + " but basic.publish is class 60", MethodType.BASIC_PUBLISH);
        }
        long max = context.maxMessageSize();
        if (h.bodySize() > max) {
            Method m = publish;
            publish = null;
            // The body frames that follow are skipped by discarding; the channel closes first.
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "message size "
                    + h.bodySize() + " is larger than configured max size " + max, m.type());
        }
        askCarbonCopies(h.properties());
        properties = h.properties();
        bodySize = h.bodySize();
        body = null;
        received = 0;
        if (bodySize == 0) {
            complete();
        }
    }

    /** CC and BCC keys are routing keys too: topic_path is asked about each before the header is taken. */
    private void askCarbonCopies(MessageProperties p) {
        for (String header : CarbonCopies.HEADERS) {
            if (p.headers().get(header) instanceof List<?> keys) {
                for (Object key : keys) {
                    String k = HeaderValues.asString(key);
                    if (k != null) {
                        context.access().askTopicWrite(context.vhost(), publish.str("exchange"), k);
                    }
                }
            }
        }
    }

    void contentBody(ContentBodyFrame b) {
        if (properties == null) {
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME,
                    "content body without a content header", MethodType.BASIC_PUBLISH);
        }
        byte[] chunk = b.payload();
        if (received + (long) chunk.length > bodySize) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR, "content body exceeds the size of "
                    + bodySize + " bytes announced in its header", MethodType.BASIC_PUBLISH);
        }
        context.content().received(chunk.length);
        append(chunk);
        if (received == bodySize) {
            complete();
        }
    }

    private void append(byte[] chunk) {
        if (body == null && chunk.length == bodySize) {
            body = chunk; // the whole body in one frame, the common case: the frame's own copy will do
        } else {
            if (body == null || received + chunk.length > body.length) {
                long grown = Math.max((long) received + chunk.length, body == null ? 0 : 2L * body.length);
                body = Arrays.copyOf(body == null ? new byte[0] : body, (int) Math.min(bodySize, grown));
            }
            System.arraycopy(chunk, 0, body, received, chunk.length);
        }
        received += chunk.length;
    }

    private void complete() {
        Method m = publish;
        MessageProperties p = properties;
        byte[] b = body == null ? new byte[0] : body;
        publish = null;
        properties = null;
        body = null;
        if (txMode) {
            txBytes += received;
        } else {
            context.content().dropped(received); // route() counts it again until its queues have it
        }
        received = 0;
        validate(p, m);
        Message message = new Message(m.str("exchange"), m.str("routing-key"), p, b);
        // Topic permissions after user_id and expiration, in RabbitMQ's order; exchange and write were checked at
        // basic.publish.
        context.access().topicWrite(context.vhost(), message.exchange(), message.routingKey(),
                MethodType.BASIC_PUBLISH);
        if (txMode) {
            // Routing happens at commit; existence is still checked now, as RabbitMQ does.
            if (!message.exchange().isEmpty() && context.vhost().exchange(message.exchange()).isEmpty()) {
                throw BrokerException.notFound("no exchange '" + message.exchange()
                        + "' in vhost '" + context.vhost().name() + "'");
            }
            txPublishes.add(new Pending(m, message));
            return;
        }
        route(m, message, confirmMode);
    }

    private void validate(MessageProperties p, Method m) {
        if (p.expiration() != null) {
            try {
                if (Long.parseLong(p.expiration()) < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "invalid expiration '"
                        + p.expiration() + "': must be a non-negative integer of milliseconds",
                        MethodType.BASIC_PUBLISH);
            }
        }
        for (String header : CarbonCopies.HEADERS) {
            Object routes = p.headers().get(header);
            if (p.headers().containsKey(header) && !(routes instanceof List<?>)) {
                // Sender-selected distribution takes an array of routing keys; RabbitMQ refuses any other type.
                throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "invalid message: header '" + header
                        + "' must be an array, got " + (routes == null ? "void" : routes.getClass().getSimpleName()),
                        MethodType.BASIC_PUBLISH);
            }
            if (routes instanceof List<?> keys) {
                // Each CC / BCC key routes the message as its routing key does, so each is authorized like it (as
                // RabbitMQ checks topic authorisation for every routing key of a message); otherwise one allowed key
                // carries any number of unchecked ones past the topic permissions, the MQTT ACL, the '$' rule and
                // the ownership of MQTT session queues (default exchange).
                for (Object key : keys) {
                    String k = HeaderValues.asString(key);
                    if (k != null) {
                        context.access().topicWrite(context.vhost(), m.str("exchange"), k, MethodType.BASIC_PUBLISH);
                    }
                }
            }
        }
        if (p.userId() != null && !p.userId().equals(context.access().userName())) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "user_id property set to '"
                    + p.userId() + "' but authenticated user was '" + context.access().userName() + "'",
                    MethodType.BASIC_PUBLISH);
        }
    }

    /** Routes one publish; the future completes when the queues (and store) have it, if {@code track}. */
    private CompletableFuture<Boolean> route(Method m, Message message, boolean track) {
        // Every publish, a direct reply included, has its reply_to rewritten or refused (406 without a reply-to
        // consumer on the channel), as RabbitMQ checks each one.
        Message toRoute = ch.consuming.rewriteReplyTo(message);
        if (toRoute.exchange().isEmpty() && toRoute.routingKey().startsWith(DirectReplies.PREFIX)
                && replyDirect(m, toRoute)) {
            return CompletableFuture.completedFuture(true);
        }
        PublishResult result;
        try {
            result = context.vhost().publish(toRoute, track);
        } catch (BrokerException e) {
            // The publish is the method that failed, also when tx.commit routes it.
            throw AmqpChannel.translate(e, m);
        }
        if (result.congested()) {
            context.flow().congested(result);
        }
        if (track) {
            context.content().awaiting(message.bodySize(), result.confirmed());
        }
        if (!result.routed() && m.bit("mandatory")) {
            ch.sendWithContent(MethodType.BASIC_RETURN.with(ReplyCode.NO_ROUTE, "NO_ROUTE",
                    message.exchange(), message.routingKey()), toRoute);
        }
        if (confirmMode) {
            long seq = confirms.nextSequence();
            var future = result.confirmed();
            if (future.isDone()) {
                confirmed(seq, future.getNow(false));
            } else {
                Confirms c = confirms;
                future.whenComplete((ok, error) -> c.arrived(seq, error == null && Boolean.TRUE.equals(ok)));
            }
        }
        return result.confirmed();
    }

    /**
     * A reply to a direct reply-to name: straight to its consumer on this node, or returned (mandatory) when the name
     * has none here; false for a name of another cluster node, which the engine routes into that node's relay.
     */
    private boolean replyDirect(Method m, Message message) {
        DirectReplies replies = context.directReplyTo();
        DirectReplies.Target target = replies.target(context.vhost().name(), message.routingKey());
        if (target == null && replies.ofAnotherNode(message.routingKey())) {
            return false;
        }
        if (target != null) {
            target.reply(message);
        } else if (m.bit("mandatory")) {
            ch.sendWithContent(MethodType.BASIC_RETURN.with(ReplyCode.NO_ROUTE, "NO_ROUTE",
                    message.exchange(), message.routingKey()), message);
        }
        if (confirmMode) {
            confirmed(confirms.nextSequence(), true);
        }
        return true;
    }

    private void confirmed(long seq, boolean ack) {
        if (ch.closing() || confirms == null) {
            return;
        }
        confirms.finish(seq, ack);
        confirms.emitDue(this::sendConfirm);
    }

    /** On the event loop: results of publishes arrived from other threads (see {@link Confirms}). */
    private void confirmArrived() {
        if (ch.closing() || confirms == null) {
            return;
        }
        confirms.takeArrived();
        confirms.emitDue(this::sendConfirm);
    }

    private void sendConfirm(long tag, boolean multiple, boolean ack) {
        ch.send(ack ? MethodType.BASIC_ACK.with(tag, multiple) : MethodType.BASIC_NACK.with(tag, multiple, false));
    }

    void release() {
        context.content().dropped(received + txBytes);
        txPublishes.clear();
        txBytes = 0;
        publish = null;
        properties = null;
        body = null;
        received = 0;
    }
}
