package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.util.Set;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.messaging.TerminusDurability;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue a consuming link makes for itself (a v1 {@code /topic/:key} or {@code /exchange/:x/:key} source, a
 * durable subscription's named link, a dynamic source) lives no longer than the link that needed it
 * (docs/amqp10.md, "Security" and "Decisions"), driven with proton-j's engine so that every refusal is seen as
 * the detach it is [AMQP 1.0 part 2 section 2.6.3: a refused attach is an attach with a null terminus, then a
 * detach carrying the error]. Each test keeps its connection open while it looks at the vhost's queues: an
 * exclusive queue would otherwise be cleaned up by the connection's close and hide a leak.
 * <ul>
 * <li>refused for a permission or a missing exchange: checked before any queue is made, as RabbitMQ checks
 * permissions before it declares;</li>
 * <li>refused by the engine only when binding (the vhost's binding limit): the queue the attach declared is
 * deleted again, a durable subscription's too, which would otherwise outlive the connection;</li>
 * <li>a dynamic source is deleted when its link closes [part 3 section 3.5.10, lifetime-policy delete-on-close:
 * the node goes when the link that caused its creation ceases to exist].</li>
 * </ul>
 */
class RawAmqp10LinkQueueTest {
    private static final Symbol TOPIC = Symbol.valueOf("topic");
    @RegisterExtension
    static final Amqp10Support broker = LinkQueueFixture.broker();

    @Test
    void aTopicSourceWithoutReadOnTheExchangeIsUnauthorizedAndLeavesNoQueue() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("noread", "noread")) {
            Session session = begin(raw);
            Set<String> before = queues("/");
            assertRefused(raw, session, source("/topic/" + id("news")), "amqp:unauthorized-access",
                    "read access to exchange 'amq.topic'");
            assertRefused(raw, session, source("/exchange/amq.direct/" + id("key")), "amqp:unauthorized-access",
                    "read access to exchange 'amq.direct'");
            Source jmsTopic = source(id("news")); // Qpid JMS's non-durable topic subscriber
            jmsTopic.setCapabilities(TOPIC);
            assertRefused(raw, session, jmsTopic, "amqp:unauthorized-access", "read access to exchange 'amq.topic'");
            // RabbitMQ 4's v2 addresses have no exchange source: refused before anything is made
            assertRefused(raw, session, source("/exchanges/amq.topic/" + id("key")), "amqp:invalid-field",
                    "target address");
            assertNoQueueLeft("/", before);
            assertThat(raw.connection.getRemoteState()).as("a refused link leaves the connection open")
                    .isEqualTo(EndpointState.ACTIVE);
        }
    }

    @Test
    void aDurableOrSharedSubscriptionWithoutReadOnTheExchangeIsUnauthorizedAndLeavesNoQueue() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("noread", "noread")) {
            Session session = begin(raw);
            Set<String> before = queues("/");
            assertRefused(raw, session, id("durable"), durable("/topic/" + id("news")), "amqp:unauthorized-access",
                    "read access to exchange 'amq.topic'");
            Source shared = source("/topic/" + id("news"));
            shared.setCapabilities(TOPIC, Symbol.valueOf("shared"), Symbol.valueOf("global"));
            assertRefused(raw, session, id("shared"), shared, "amqp:unauthorized-access",
                    "read access to exchange 'amq.topic'");
            assertNoQueueLeft("/", before);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        }
    }

    @Test
    void aSourceOnAMissingExchangeIsNotFoundAndLeavesNoQueue() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            Set<String> before = queues("/");
            String missing = id("missing");
            assertRefused(raw, session, source("/exchange/" + missing + "/key"), "amqp:not-found",
                    "no exchange '" + missing + "'");
            assertRefused(raw, session, id("durable"), durable("/exchange/" + missing + "/key"), "amqp:not-found",
                    "no exchange '" + missing + "'");
            assertNoQueueLeft("/", before);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        }
    }

    /**
     * A refusal only the engine knows when binding (the vhost's {@code max_bindings}, RabbitMQ's 406 "binding limit
     * ... is reached"): the queue the attach declared is deleted again, and the link detached with the engine's
     * condition.
     */
    @Test
    void aSubscriptionPastTheBindingLimitIsRefusedAndLeavesNoQueue() throws Exception {
        Channel ch = broker.amqpChannelIn("restricted");
        String held = ch.queueDeclare(id("held"), false, false, true, null).getQueue();
        ch.queueBind(held, "amq.direct", "held"); // the vhost's one binding
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest", "vhost:restricted")) {
            Session session = begin(raw);
            Set<String> before = queues("restricted");
            assertRefused(raw, session, source("/topic/" + id("news")), "amqp:precondition-failed",
                    "binding limit");
            assertRefused(raw, session, id("durable"), durable("/topic/" + id("news")), "amqp:precondition-failed",
                    "binding limit");
            Source shared = source("/topic/" + id("news"));
            shared.setCapabilities(TOPIC, Symbol.valueOf("shared"));
            assertRefused(raw, session, id("shared"), shared, "amqp:precondition-failed", "binding limit");
            assertNoQueueLeft("restricted", before);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        } finally {
            ch.queueDelete(held);
        }
    }

    @Test
    void aTopicSourcesQueueGoesWithItsLink() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            Set<String> before = queues("/");
            Receiver detached = attach(raw, session, id("topic"), source("/topic/" + id("news")));
            assertThat(queues("/")).as("the subscription's queue").hasSize(before.size() + 1);
            detached.detach(); // not closed: the server answers with a closing detach all the same
            raw.pumpUntil(() -> detached.getRemoteState() == EndpointState.CLOSED);
            assertNoQueueLeft("/", before);

            Receiver closed = attach(raw, session, id("topic"), source("/exchange/amq.direct/" + id("key")));
            closed.close();
            raw.pumpUntil(() -> closed.getRemoteState() == EndpointState.CLOSED);
            assertNoQueueLeft("/", before);
        }
    }

    /** [part 3 section 3.5.10] delete-on-close: the dynamic node goes with its link, not with the connection. */
    @Test
    void aDynamicSourceIsDeletedWhenItsLinkOrSessionEnds() throws Exception {
        try (RawAmqp10 raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest")) {
            Session session = begin(raw);
            Set<String> before = queues("/");
            Source dynamic = new Source();
            dynamic.setDynamic(true);
            Receiver r = attach(raw, session, id("dynamic"), dynamic);
            String address = ((Source) r.getRemoteSource()).getAddress();
            assertThat(address).startsWith("/queues/");
            assertThat(queues("/")).contains(address.substring("/queues/".length()));
            r.close();
            raw.pumpUntil(() -> r.getRemoteState() == EndpointState.CLOSED);
            assertNoQueueLeft("/", before);

            // a session that ends takes its links with it, and so the dynamic node
            Session other = begin(raw);
            attach(raw, other, id("dynamic"), dynamic);
            assertThat(queues("/")).hasSize(before.size() + 1);
            other.close();
            raw.pumpUntil(() -> other.getRemoteState() == EndpointState.CLOSED);
            assertNoQueueLeft("/", before);
            assertThat(raw.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static Session begin(RawAmqp10 raw) throws Exception {
        Session session = raw.connection.session();
        session.open();
        raw.pumpUntil(() -> session.getRemoteState() == EndpointState.ACTIVE);
        return session;
    }

    private static Source source(String address) {
        Source s = new Source();
        s.setAddress(address);
        return s;
    }

    /** A durable subscription's source as Qpid JMS sends it: the link's name is the subscription's. */
    private static Source durable(String address) {
        Source s = source(address);
        s.setDurable(TerminusDurability.UNSETTLED_STATE);
        s.setCapabilities(TOPIC);
        return s;
    }

    private static Receiver attach(RawAmqp10 raw, Session session, String name, Source source) throws Exception {
        Receiver r = session.receiver(name);
        r.setSource(source);
        r.setTarget(new Target());
        r.open();
        raw.pumpUntil(() -> r.getRemoteState() != EndpointState.UNINITIALIZED);
        assertThat(r.getRemoteSource()).as("the attach answered with the source").isNotNull();
        assertThat(r.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        return r;
    }

    private static void assertRefused(RawAmqp10 raw, Session session, Source source, String condition,
                                      String description) throws Exception {
        assertRefused(raw, session, id("consumer"), source, condition, description);
    }

    private static void assertRefused(RawAmqp10 raw, Session session, String name, Source source, String condition,
                                      String description) throws Exception {
        Receiver r = session.receiver(name);
        r.setSource(source);
        r.setTarget(new Target());
        r.open();
        raw.pumpUntil(() -> r.getRemoteState() == EndpointState.CLOSED);
        assertThat(r.getRemoteState()).as("detached").isEqualTo(EndpointState.CLOSED);
        assertThat(r.getRemoteSource()).as("refused with a null source").isNull();
        assertThat(r.getRemoteCondition().getCondition().toString()).isEqualTo(condition);
        assertThat(r.getRemoteCondition().getDescription()).contains(description);
        r.close();
        raw.pumpFor(20);
        assertThat(session.getRemoteState()).as("the session stays").isEqualTo(EndpointState.ACTIVE);
    }

    private static void assertNoQueueLeft(String vhost, Set<String> before) throws InterruptedException {
        LinkQueueFixture.assertNoQueueLeft(broker, vhost, before);
    }

    private static Set<String> queues(String vhost) {
        return LinkQueueFixture.queues(broker, vhost);
    }
}
