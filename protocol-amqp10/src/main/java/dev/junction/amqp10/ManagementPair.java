package dev.junction.amqp10;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.codec.ReadableBuffer;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.message.Message;

/**
 * The two links of one client to RabbitMQ 4's management node, {@code /management}: the client sends requests on
 * a link whose target is the node and takes replies on a link of the same name whose source is the node (the link
 * pair, marked {@code paired} in its properties). Each request is answered on the pair's reply link, with the
 * request's {@code message-id} as {@code correlation-id} and the status code as {@code subject}; the body is an
 * {@code amqp-value}. Replies are sent settled, in the order their answers are ready.
 *
 * <p>Flow: the request link keeps {@link #WINDOW} credits less the requests not yet answered, and replies wait
 * here while the client gives the reply link no credit, so a client that never reads its replies stops being
 * able to send requests instead of growing this queue. Event-loop only.
 */
final class ManagementPair {
    static final String NODE = "/management";
    private static final int WINDOW = 16;
    private final Opened o;
    private final ManagementRequests requests;
    private final Deque<Message> replies = new ArrayDeque<>();
    private Receiver requestLink;
    private Sender replyLink;
    /** Requests taken and not yet answered on the reply link: they count against the window. */
    private int unanswered;
    private long nextTag;

    ManagementPair(Opened o) {
        this.o = o;
        this.requests = new ManagementRequests(o);
    }

    /** True when {@code link} is one of a pair to the management node. */
    static boolean addresses(Link link) {
        if (link instanceof Receiver) {
            return link.getRemoteTarget() instanceof Target t && NODE.equals(t.getAddress());
        }
        return link.getRemoteSource() instanceof Source s && NODE.equals(s.getAddress());
    }

    void attach(Link link) {
        link.setSource(link.getRemoteSource());
        link.setTarget(link.getRemoteTarget());
        if (link instanceof Receiver r) {
            if (requestLink != null) {
                throw Refusal.link(Condition.NOT_ALLOWED, "the management link pair has a request link");
            }
            requestLink = r;
            r.setContext(this);
            r.setSenderSettleMode(r.getRemoteSenderSettleMode());
            r.setReceiverSettleMode(ReceiverSettleMode.FIRST);
            r.setMaxMessageSize(UnsignedLong.valueOf(o.settings().maxMessageSize()));
            r.open();
            topUp();
        } else {
            if (replyLink != null) {
                throw Refusal.link(Condition.NOT_ALLOWED, "the management link pair has a reply link");
            }
            replyLink = (Sender) link;
            link.setContext(this);
            replyLink.setSenderSettleMode(SenderSettleMode.SETTLED);
            replyLink.open();
        }
    }

    /** A request arrived on the request link. */
    void delivery(Delivery d) {
        if (!(d.getLink() instanceof Receiver r) || d != r.current()) {
            return;
        }
        long max = o.settings().maxMessageSize();
        if (d.pending() > max) {
            throw Refusal.link(Condition.MESSAGE_SIZE_EXCEEDED, "request larger than " + max + " bytes");
        }
        if (d.isAborted()) {
            r.advance();
            d.settle();
            return;
        }
        if (d.isPartial()) {
            return;
        }
        ReadableBuffer payload = r.recv();
        r.advance();
        if (!d.remotelySettled()) {
            d.disposition(Accepted.getInstance());
        }
        d.settle();
        Message request = Encoding.decode(payload);
        unanswered++;
        CompletableFuture<ManagementReply> answer = requests.handle(request);
        Object id = request.getMessageId();
        if (answer.isDone()) {
            reply(id, answer.join());
        } else {
            answer.whenComplete((reply, error) -> o.conn().onLoop(() -> reply(id, reply != null ? reply
                    : ManagementReply.refused(new IllegalStateException(String.valueOf(error))))));
        }
    }

    private void reply(Object correlationId, ManagementReply reply) {
        Message m = Message.Factory.create();
        m.setCorrelationId(correlationId);
        m.setSubject(Integer.toString(reply.status().code));
        m.setBody(new AmqpValue(reply.body()));
        replies.add(m);
        flush();
    }

    /** The client granted credit on the reply link (or a reply is ready): sends what the credit allows. */
    void flush() {
        while (replyLink != null && replyLink.getCredit() > 0 && !replies.isEmpty()) {
            Delivery transfer = replyLink.delivery(Long.toString(nextTag++, 36).getBytes(StandardCharsets.US_ASCII));
            Encoding.send(replyLink, replies.poll(), 0);
            replyLink.advance();
            transfer.settle();
            unanswered--;
        }
        topUp();
    }

    private void topUp() {
        if (requestLink == null) {
            return;
        }
        int credit = requestLink.getCredit();
        int room = WINDOW - credit - unanswered;
        if (room > 0 && credit <= WINDOW / 2) {
            requestLink.flow(room);
        }
    }

    /** One of the links ended; true when neither is left, so the pair can go. */
    boolean gone(Link link) {
        if (link == requestLink) {
            requestLink = null;
        } else if (link == replyLink) {
            replyLink = null;
            unanswered -= replies.size();
            replies.clear();
        }
        return requestLink == null && replyLink == null;
    }
}
