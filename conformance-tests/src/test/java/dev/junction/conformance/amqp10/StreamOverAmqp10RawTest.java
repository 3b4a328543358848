package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnknownDescribedType;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source filter set of a stream consumer in frames RabbitMQ's client never sends (docs/amqp10.md "Streams"):
 * the filter in place is echoed in the attach [AMQP 1.0 part 3 section 3.5.3]; RabbitMQ 4.1's form (any key, the
 * value described by {@code rabbitmq:stream-offset-spec}) and 4.0's (a plain value under that key) both start the
 * consumer; a value of another type is {@code amqp:invalid-field}, one the engine cannot read its
 * {@code amqp:precondition-failed}; filters Junction does not implement are {@code amqp:not-implemented}; a drain
 * on a stream gives the credit back once the consumer has read to the end [part 2 section 2.6.7].
 */
@Timeout(60)
class StreamOverAmqp10RawTest {
    private static final Symbol OFFSET_SPEC = Symbol.valueOf("rabbitmq:stream-offset-spec");

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    /** A stream with {@code n} messages {@code m0 ...}, declared and filled over 0-9-1. */
    private static String stream(int n) throws Exception {
        Channel ch = broker.amqpChannel();
        String s = id("stream");
        ch.queueDeclare(s, true, false, false, Map.of("x-queue-type", "stream"));
        ch.confirmSelect();
        for (int i = 0; i < n; i++) {
            ch.basicPublish("", s, null, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(10_000);
        return s;
    }

    /** A raw AMQP 1.0 connection, logged in as guest. */
    private static RawAmqp10 asGuest() throws Exception {
        return new RawAmqp10(broker.amqpPort()).login("guest", "guest");
    }

    /** The source filter {@code rabbitmq:stream-offset-spec} with {@code value}, as RabbitMQ 4's client sends it. */
    private static Map<Symbol, Object> offsetSpec(Object value) {
        return Map.of(OFFSET_SPEC, described(OFFSET_SPEC, value));
    }

    private static DescribedType described(Object descriptor, Object value) {
        return new UnknownDescribedType(descriptor, value);
    }

    /** A receiving link on {@code /queues/<stream>} with {@code filter}, attached (or refused). */
    private static Receiver attach(RawAmqp10 raw, String stream, Map<Symbol, Object> filter) throws Exception {
        return attachTo(raw, "/queues/" + stream, filter);
    }

    private static Receiver attachTo(RawAmqp10 raw, String address, Map<Symbol, Object> filter) throws Exception {
        Session session = raw.connection.session();
        session.open();
        Receiver r = session.receiver(id("link"));
        Source source = new Source();
        source.setAddress(address);
        source.setFilter(filter);
        r.setSource(source);
        r.setTarget(new Target());
        r.open();
        raw.pumpUntil(() -> r.getRemoteState() != EndpointState.UNINITIALIZED);
        return r;
    }

    /** The condition the link was detached with. */
    private static String refusal(RawAmqp10 raw, Receiver r) throws Exception {
        raw.pumpUntil(() -> r.getRemoteState() == EndpointState.CLOSED);
        assertThat(r.getRemoteState()).isEqualTo(EndpointState.CLOSED);
        return r.getRemoteCondition().getCondition() + " " + r.getRemoteCondition().getDescription();
    }

    /** Grants {@code credit}, receives {@code n} transfers, accepts them; each as body@x-stream-offset. */
    private static List<String> receive(RawAmqp10 raw, Receiver r, int credit, int n) throws Exception {
        r.flow(credit);
        List<String> got = new ArrayList<>();
        while (got.size() < n) {
            raw.pumpUntil(() -> r.current() != null && !r.current().isPartial());
            Delivery d = r.current();
            assertThat(d).as("delivery %d of %d", got.size() + 1, n).isNotNull();
            byte[] bytes = new byte[d.pending()];
            int len = r.recv(bytes, 0, bytes.length);
            r.advance();
            d.disposition(org.apache.qpid.proton.amqp.messaging.Accepted.getInstance());
            d.settle();
            Message m = Message.Factory.create();
            m.decode(bytes, 0, len);
            Object offset = m.getMessageAnnotations().getValue().get(Symbol.valueOf("x-stream-offset"));
            assertThat(offset).isInstanceOf(Long.class);
            got.add(new String(((Data) m.getBody()).getValue().getArray(), StandardCharsets.UTF_8) + "@" + offset);
        }
        return got;
    }

    @Test
    void anyKeyWhoseValueIsDescribedAsTheOffsetSpecStartsThereAndIsEchoed() throws Exception {
        String s = stream(4);
        try (RawAmqp10 raw = asGuest()) {
            Map<Symbol, Object> filter = new LinkedHashMap<>();
            filter.put(Symbol.valueOf("from-here"), described(OFFSET_SPEC, Symbol.valueOf("first")));
            Receiver r = attach(raw, s, filter);
            assertThat(r.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            Map<?, ?> inPlace = ((Source) r.getRemoteSource()).getFilter();
            assertThat(List.copyOf(inPlace.keySet())).isEqualTo(List.of(Symbol.valueOf("from-here")));
            assertThat(((DescribedType) inPlace.get(Symbol.valueOf("from-here"))).getDescriptor())
                    .isEqualTo(OFFSET_SPEC);
            assertThat(receive(raw, r, 10, 4)).containsExactly("m0@0", "m1@1", "m2@2", "m3@3");
        }
    }

    /** RabbitMQ 4.0 also took the offset as a plain value under the key {@code rabbitmq:stream-offset-spec}. */
    @Test
    void aPlainValueUnderTheOffsetSpecKeyIsTakenToo() throws Exception {
        String s = stream(4);
        try (RawAmqp10 raw = asGuest()) {
            Receiver r = attach(raw, s, Map.of(OFFSET_SPEC, UnsignedLong.valueOf(2)));
            assertThat(r.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
            Map<?, ?> inPlace = ((Source) r.getRemoteSource()).getFilter();
            assertThat(List.copyOf(inPlace.keySet())).isEqualTo(List.of(OFFSET_SPEC));
            assertThat(receive(raw, r, 10, 2)).containsExactly("m2@2", "m3@3");
        }
    }

    /** The v1 addresses that name a queue (RabbitMQ 3.x's {@code /amq/queue/:q}, {@code /queue/:q}) read it too. */
    @Test
    void v1QueueAddressesReadTheStreamToo() throws Exception {
        String s = stream(2);
        try (RawAmqp10 raw = asGuest()) {
            for (String address : List.of("/amq/queue/" + s, "/queue/" + s)) {
                Receiver r = attachTo(raw, address, offsetSpec("first"));
                assertThat(r.getRemoteState()).as(address).isEqualTo(EndpointState.ACTIVE);
                assertThat(receive(raw, r, 10, 2)).as(address).containsExactly("m0@0", "m1@1");
            }
        }
    }

    @Test
    void anOffsetSpecOfAnotherTypeIsAnInvalidField() throws Exception {
        String s = stream(1);
        try (RawAmqp10 raw = asGuest()) {
            Receiver r = attach(raw, s, offsetSpec(true));
            assertThat(refusal(raw, r)).startsWith("amqp:invalid-field");
        }
    }

    /** The engine's parser decides, as for 0-9-1's {@code basic.consume}: its 406 is precondition-failed. */
    @Test
    void anOffsetSpecTheEngineCannotReadIsPreconditionFailed() throws Exception {
        String s = stream(1);
        try (RawAmqp10 raw = asGuest()) {
            Receiver r = attach(raw, s, offsetSpec("yesterday"));
            assertThat(refusal(raw, r)).startsWith("amqp:precondition-failed")
                    .contains("invalid arg 'x-stream-offset'");
            Receiver negative = attach(raw, s, offsetSpec(-1L));
            assertThat(refusal(raw, negative)).startsWith("amqp:precondition-failed");
        }
    }

    /** RabbitMQ 4.1's property filter expressions and its Bloom stream filter are not implemented: refused. */
    @Test
    void filtersJunctionDoesNotImplementAreRefused() throws Exception {
        String s = stream(1);
        try (RawAmqp10 raw = asGuest()) {
            Receiver props = attach(raw, s, Map.of(Symbol.valueOf("props"), described(
                    Symbol.valueOf("amqp:properties-filter"), Map.of(Symbol.valueOf("subject"), "eu"))));
            assertThat(refusal(raw, props)).startsWith("amqp:not-implemented");
            Receiver bloom = attach(raw, s, Map.of(Symbol.valueOf("rabbitmq:stream-filter"), described(
                    Symbol.valueOf("rabbitmq:stream-filter"), "eu")));
            assertThat(refusal(raw, bloom)).startsWith("amqp:not-implemented").contains("rabbitmq:stream-filter");
            Receiver unfiltered = attach(raw, s, Map.of(Symbol.valueOf("rabbitmq:stream-match-unfiltered"),
                    described(Symbol.valueOf("rabbitmq:stream-match-unfiltered"), true)));
            assertThat(refusal(raw, unfiltered)).startsWith("amqp:not-implemented");
        }
    }

    /** A drain [part 2 section 2.6.7] on a stream read to its end gives the rest of the credit back. */
    @Test
    void aDrainOnAStreamReadToItsEndGivesTheCreditBack() throws Exception {
        String s = stream(3);
        try (RawAmqp10 raw = asGuest()) {
            Receiver r = attach(raw, s, offsetSpec("first"));
            assertThat(receive(raw, r, 10, 3)).containsExactly("m0@0", "m1@1", "m2@2");
            r.drain(0);
            raw.pumpUntil(() -> !r.draining());
            assertThat(r.draining()).isFalse();
            assertThat(r.getCredit()).isZero();
        }
    }
}
