package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.junction.conformance.BrokerConfig;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Modified;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Link-level behaviour no stock client shows on its own, driven with proton-j's engine (docs/amqp10.md,
 * "Addresses", "Flow and settlement", "Limits"): the null target routing each message by its {@code to}, the
 * {@code modified} outcome with delivery-failed, and the per-connection link limit, which refuses one link and
 * leaves the connection, and every other connection, as they were.
 */
class RawAmqp10LinksTest {
    private static final int MAX_LINKS = 1024;

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass(BrokerConfig.standard());

    @Test
    void theNullTargetRoutesEachMessageByItsTo() throws Exception {
        String queue = Amqp10Support.id("to");
        Channel ch = broker.amqpChannel();
        ch.queueDeclare(queue, false, false, false, null);
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            Sender sender = session.sender("anonymous");
            sender.setTarget(new Target()); // no address: each message's to says where it goes
            sender.setSource(new Source());
            sender.open();
            raw.pumpUntil(() -> sender.getRemoteState() == EndpointState.ACTIVE && sender.getCredit() > 0);

            Delivery routed = send(sender, "/queues/" + queue, "a");
            Delivery unknown = send(sender, "/exchanges/" + Amqp10Support.id("missing"), "b");
            Delivery malformed = send(sender, "queue-without-prefix", "c");
            raw.pumpUntil(() -> routed.remotelySettled() && unknown.remotelySettled() && malformed.remotelySettled());

            assertThat(routed.getRemoteState()).isInstanceOf(Accepted.class);
            assertThat(unknown.getRemoteState()).isInstanceOf(Rejected.class);
            assertThat(((Rejected) unknown.getRemoteState()).getError().getCondition().toString())
                    .isEqualTo("amqp:not-found");
            assertThat(malformed.getRemoteState()).isInstanceOf(Rejected.class);
            assertThat(sender.getRemoteState()).as("refusals are per message").isEqualTo(EndpointState.ACTIVE);
            assertThat(new String(Amqp10Support.poll(ch, queue).getBody())).isEqualTo("a");
            assertThat(ch.basicGet(queue, true)).as("only the routed message").isNull();
        }
    }

    @Test
    void modifiedWithDeliveryFailedRequeuesAndCountsTheDelivery() throws Exception {
        String queue = Amqp10Support.id("modified");
        Channel ch = broker.amqpChannel();
        ch.queueDeclare(queue, false, false, false, null);
        ch.basicPublish("", queue, null, Amqp10Support.utf8("again"));
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            Receiver receiver = session.receiver("consumer");
            Source source = new Source();
            source.setAddress("/queues/" + queue);
            receiver.setSource(source);
            receiver.setTarget(new Target());
            receiver.open();
            receiver.flow(1);

            Delivery first = await(raw, receiver);
            Message m = decode(receiver, first);
            assertThat(m.getHeader().getFirstAcquirer()).isTrue();
            assertThat(m.getHeader().getDeliveryCount()).isNull();
            Modified failed = new Modified();
            failed.setDeliveryFailed(true);
            first.disposition(failed);
            first.settle();
            receiver.flow(1);

            Delivery second = await(raw, receiver);
            Message again = decode(receiver, second);
            assertThat(((Data) again.getBody()).getValue()).isEqualTo(new Binary(Amqp10Support.utf8("again")));
            assertThat(again.getHeader().getFirstAcquirer()).isFalse();
            assertThat(again.getHeader().getDeliveryCount()).as("the failed delivery counted")
                    .isEqualTo(UnsignedInteger.ONE);
            second.disposition(Accepted.getInstance());
            second.settle();
            raw.pumpFor(100);
        }
    }

    @Test
    void theLinkPastTheLimitIsRefusedAndNothingElse() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest");
             RawAmqp10 other = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            List<Sender> senders = new ArrayList<>();
            for (int i = 0; i <= MAX_LINKS; i++) {
                Sender s = session.sender("publisher-" + i);
                Target t = new Target();
                t.setAddress("/exchanges/amq.direct/k");
                s.setTarget(t);
                s.setSource(new Source());
                s.open();
                senders.add(s);
            }
            Sender last = senders.get(MAX_LINKS);
            raw.pumpUntil(() -> last.getRemoteState() == EndpointState.CLOSED);
            assertThat(last.getRemoteCondition().getCondition().toString())
                    .isEqualTo("amqp:resource-limit-exceeded");
            assertThat(senders.get(MAX_LINKS - 1).getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);

            // the other connection is not limited by this one's links
            Session elsewhere = begin(other);
            Sender s = elsewhere.sender("publisher");
            Target t = new Target();
            t.setAddress("/exchanges/amq.direct/k");
            s.setTarget(t);
            s.setSource(new Source());
            s.open();
            other.pumpUntil(() -> s.getRemoteState() != EndpointState.UNINITIALIZED);
            assertThat(s.getRemoteState()).isEqualTo(EndpointState.ACTIVE);

            // a link given back makes room for one more (proton writes attaches before detaches in one batch, so the
            // detach goes out, and is answered, first)
            Sender first = senders.get(0);
            first.close();
            raw.pumpUntil(() -> first.getRemoteState() == EndpointState.CLOSED);
            Sender again = session.sender("publisher-again");
            Target t2 = new Target();
            t2.setAddress("/exchanges/amq.direct/k");
            again.setTarget(t2);
            again.setSource(new Source());
            again.open();
            raw.pumpUntil(() -> again.getRemoteState() != EndpointState.UNINITIALIZED);
            assertThat(again.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        }
    }

    private static Session begin(RawAmqp10 raw) throws Exception {
        Session session = raw.connection.session();
        session.open();
        raw.pumpUntil(() -> session.getRemoteState() == EndpointState.ACTIVE);
        return session;
    }

    private static Delivery send(Sender sender, String to, String body) {
        Message m = Message.Factory.create();
        m.setAddress(to);
        m.setBody(new Data(new Binary(Amqp10Support.utf8(body))));
        byte[] buffer = new byte[1024];
        int n = m.encode(buffer, 0, buffer.length);
        Delivery d = sender.delivery(Amqp10Support.utf8(body));
        sender.send(buffer, 0, n);
        sender.advance();
        return d;
    }

    private static Delivery await(RawAmqp10 raw, Receiver receiver) throws Exception {
        raw.pumpUntil(() -> receiver.current() != null && !receiver.current().isPartial());
        assertThat(receiver.current()).as("a transfer").isNotNull();
        return receiver.current();
    }

    private static Message decode(Receiver receiver, Delivery d) {
        byte[] bytes = new byte[d.pending()];
        int n = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        Message m = Message.Factory.create();
        m.decode(bytes, 0, n);
        return m;
    }
}
