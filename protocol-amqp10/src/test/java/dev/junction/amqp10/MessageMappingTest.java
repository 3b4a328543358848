package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.AmqpSequence;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;

/** The table of docs/amqp10.md: AMQP 1.0 ↔ the engine's (0-9-1's) properties, and round trips through it. */
class MessageMappingTest {

    private static Message full() {
        Message m = Message.Factory.create();
        Header h = new Header();
        h.setDurable(true);
        h.setPriority(UnsignedByte.valueOf((byte) 7));
        h.setTtl(UnsignedInteger.valueOf(60_000));
        m.setHeader(h);
        Properties p = new Properties();
        p.setMessageId("id-1");
        p.setUserId(new Binary("guest".getBytes(StandardCharsets.UTF_8)));
        p.setTo("/queues/q");
        p.setSubject("kind");
        p.setReplyTo("/queues/replies");
        p.setCorrelationId(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        p.setContentType(Symbol.valueOf("application/json"));
        p.setContentEncoding(Symbol.valueOf("gzip"));
        p.setAbsoluteExpiryTime(new Date(2_000_000_000_000L));
        p.setCreationTime(new Date(1_700_000_000_123L));
        p.setGroupId("g");
        p.setGroupSequence(UnsignedInteger.valueOf(3));
        p.setReplyToGroupId("rg");
        m.setProperties(p);
        Map<String, Object> app = new LinkedHashMap<>();
        app.put("color", "blue");
        app.put("n", 7);
        app.put("big", UnsignedLong.valueOf(5));
        app.put("flag", true);
        app.put("raw", new Binary(new byte[] {1, 2}));
        m.setApplicationProperties(new ApplicationProperties(app));
        m.setMessageAnnotations(new MessageAnnotations(Map.of(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5)));
        m.setBody(new Data(new Binary("{\"a\":1}".getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    @Test
    void aFullMessageMapsOntoBasicPropertiesAndHeaders() {
        dev.junction.routing.api.Message e = MessageMapping.toEngine(full(), "amq.direct", "k");
        MessageProperties p = e.properties();
        assertThat(e.exchange()).isEqualTo("amq.direct");
        assertThat(e.routingKey()).isEqualTo("k");
        assertThat(new String(e.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(p.deliveryMode()).isEqualTo(MessageProperties.PERSISTENT);
        assertThat(p.priority()).isEqualTo(7);
        assertThat(p.expiration()).isEqualTo("60000");
        assertThat(p.messageId()).isEqualTo("id-1");
        assertThat(p.userId()).isEqualTo("guest");
        assertThat(p.type()).isEqualTo("kind");
        assertThat(p.replyTo()).isEqualTo("/queues/replies");
        assertThat(p.correlationId()).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
        assertThat(p.header(MessageMapping.CORRELATION_ID_TYPE)).isEqualTo("uuid");
        assertThat(p.contentType()).isEqualTo("application/json");
        assertThat(p.contentEncoding()).isEqualTo("gzip");
        assertThat(p.timestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(p.header("color")).isEqualTo("blue");
        assertThat(p.header("n")).isEqualTo(7);
        assertThat(p.header("big")).isEqualTo(5L);
        assertThat(p.header("flag")).isEqualTo(true);
        assertThat((byte[]) p.header("raw")).containsExactly(1, 2);
        assertThat(p.header("x-opt-jms-msg-type")).isEqualTo((byte) 5);
        assertThat(p.header(MessageMapping.TO)).isEqualTo("/queues/q");
        assertThat(p.header(MessageMapping.BODY)).isNull();
    }

    @Test
    void aRoundTripThroughTheEngineKeepsEveryField() {
        Message in = full();
        dev.junction.routing.api.Message e = MessageMapping.toEngine(in, "amq.direct", "k");
        Message out = MessageMapping.toAmqp(e, 1, false);
        assertThat(out.getHeader().getDurable()).isTrue();
        assertThat(out.getHeader().getPriority()).isEqualTo(UnsignedByte.valueOf((byte) 7));
        assertThat(out.getHeader().getTtl()).isEqualTo(UnsignedInteger.valueOf(60_000));
        assertThat(out.getHeader().getFirstAcquirer()).isTrue();
        assertThat(out.getHeader().getDeliveryCount()).isNull();
        Properties a = in.getProperties();
        Properties b = out.getProperties();
        assertThat(b.getMessageId()).isEqualTo(a.getMessageId());
        assertThat(b.getUserId()).isEqualTo(a.getUserId());
        assertThat(b.getTo()).isEqualTo(a.getTo());
        assertThat(b.getSubject()).isEqualTo(a.getSubject());
        assertThat(b.getReplyTo()).isEqualTo(a.getReplyTo());
        assertThat(b.getCorrelationId()).isEqualTo(a.getCorrelationId());
        assertThat((Object) b.getContentType()).isEqualTo(a.getContentType());
        assertThat((Object) b.getContentEncoding()).isEqualTo(a.getContentEncoding());
        assertThat(b.getAbsoluteExpiryTime()).isEqualTo(a.getAbsoluteExpiryTime());
        assertThat(b.getCreationTime()).isEqualTo(a.getCreationTime());
        assertThat(b.getGroupId()).isEqualTo(a.getGroupId());
        assertThat(b.getGroupSequence()).isEqualTo(a.getGroupSequence());
        assertThat(b.getReplyToGroupId()).isEqualTo(a.getReplyToGroupId());
        Map<String, Object> app = out.getApplicationProperties().getValue();
        assertThat(app).containsEntry("color", "blue").containsEntry("n", 7).containsEntry("flag", true)
                .containsEntry("raw", new Binary(new byte[] {1, 2}));
        assertThat(app).doesNotContainKeys(MessageMapping.TO, MessageMapping.CORRELATION_ID_TYPE);
        Map<Symbol, Object> annotations = out.getMessageAnnotations().getValue();
        assertThat(annotations).containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5)
                .containsEntry(MessageMapping.EXCHANGE, "amq.direct").containsEntry(MessageMapping.ROUTING_KEY, "k");
        assertThat(((Data) out.getBody()).getValue()).isEqualTo(((Data) in.getBody()).getValue());
    }

    @Test
    void nonStringIdsKeepTheirType() {
        for (Object id : new Object[] {UnsignedLong.valueOf(42), UUID.randomUUID(), new Binary(new byte[] {9, 8}),
                "text"}) {
            Message m = Message.Factory.create();
            Properties p = new Properties();
            p.setMessageId(id);
            p.setCorrelationId(id);
            m.setProperties(p);
            Message out = MessageMapping.toAmqp(MessageMapping.toEngine(m, "", "q"), 1, false);
            assertThat(out.getProperties().getMessageId()).isEqualTo(id);
            assertThat(out.getProperties().getCorrelationId()).isEqualTo(id);
        }
    }

    @Test
    void aTextBodyIsItsUtf8BytesAndComesBackAsAString() {
        Message m = Message.Factory.create();
        m.setBody(new AmqpValue("héllo"));
        dev.junction.routing.api.Message e = MessageMapping.toEngine(m, "", "q");
        assertThat(new String(e.body(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(e.persistent()).isFalse();
        assertThat(((AmqpValue) MessageMapping.toAmqp(e, 1, false).getBody()).getValue()).isEqualTo("héllo");
    }

    @Test
    void otherValueAndSequenceBodiesKeepTheirEncoding() {
        Message value = Message.Factory.create();
        value.setBody(new AmqpValue(Map.of("k", 1L)));
        Message sequence = Message.Factory.create();
        sequence.setBody(new AmqpSequence(List.of("a", 2)));
        for (Message m : List.of(value, sequence)) {
            dev.junction.routing.api.Message e = MessageMapping.toEngine(m, "", "q");
            assertThat(e.properties().header(MessageMapping.BODY)).isEqualTo("encoded");
            Object back = MessageMapping.toAmqp(e, 1, false).getBody();
            assertThat(back).usingRecursiveComparison().isEqualTo(m.getBody());
        }
    }

    /** An MQTT 5 relay turns every header into text; Qpid JMS needs its own annotations as bytes. */
    @Test
    void qpidJmsAnnotationsGoOutAsBytesOrNotAtAll() {
        MessageProperties p = MessageProperties.builder().header("x-opt-jms-msg-type", "5")
                .header("x-opt-jms-dest", (byte) 1).header("x-opt-jms-reply-to", "queue").build();
        Message out = MessageMapping.toAmqp(new dev.junction.routing.api.Message("", "q", p, new byte[0]), 1, false);
        assertThat(out.getMessageAnnotations().getValue())
                .containsEntry(Symbol.valueOf("x-opt-jms-msg-type"), (byte) 5)
                .containsEntry(Symbol.valueOf("x-opt-jms-dest"), (byte) 1)
                .doesNotContainKey(Symbol.valueOf("x-opt-jms-reply-to"));
    }

    @Test
    void engineMessagesFromOtherProtocolsGetDataAndPropertiesForSimpleHeaders() {
        MessageProperties p = MessageProperties.builder().deliveryMode(2).contentType("text/plain")
                .header("unit", "C").header("x-mqtt-topic", "a/b").header("list", List.of(1, 2))
                .header("when", Instant.ofEpochMilli(5)).build();
        dev.junction.routing.api.Message e = new dev.junction.routing.api.Message("amq.topic", "a.b", p,
                "21.5".getBytes(StandardCharsets.UTF_8));
        Message out = MessageMapping.toAmqp(e, 3, true);
        assertThat(((Data) out.getBody()).getValue()).isEqualTo(new Binary("21.5".getBytes(StandardCharsets.UTF_8)));
        assertThat(out.getHeader().getDeliveryCount()).isEqualTo(UnsignedInteger.valueOf(2));
        assertThat(out.getHeader().getFirstAcquirer()).isFalse();
        assertThat(out.getApplicationProperties().getValue()).containsEntry("unit", "C")
                .containsEntry("when", new Date(5)).doesNotContainKeys("x-mqtt-topic", "list");
        assertThat(out.getMessageAnnotations().getValue()).containsEntry(Symbol.valueOf("x-mqtt-topic"), "a/b")
                .containsEntry(Symbol.valueOf("list"), List.of(1, 2));
        assertThat((Object) out.getProperties().getContentType()).isEqualTo(Symbol.valueOf("text/plain"));
    }

    /** RabbitMQ 4 pairs 0-9-1's app-id with AMQP 1.0's group-id; cluster-id, with no 1.0 field, is an annotation. */
    @Test
    void appIdIsTheGroupIdAndClusterIdAnAnnotationBothWays() {
        MessageProperties p = MessageProperties.builder().appId("billing").clusterId("east").build();
        Message out = MessageMapping.toAmqp(new dev.junction.routing.api.Message("", "q", p, new byte[0]), 1, false);
        assertThat(out.getProperties().getGroupId()).isEqualTo("billing");
        assertThat(out.getMessageAnnotations().getValue()).containsEntry(Symbol.valueOf("x-basic-cluster-id"), "east");

        MessageProperties back = MessageMapping.toEngine(out, "", "q").properties();
        assertThat(back.appId()).isEqualTo("billing");
        assertThat(back.clusterId()).isEqualTo("east");
        assertThat(back.header("x-basic-cluster-id")).as("kept as a header for MQTT 5").isEqualTo("east");

        Properties tooLong = new Properties();
        tooLong.setGroupId("g".repeat(256)); // no 0-9-1 short string: the group-id stays, as a header only
        Message m = Message.Factory.create();
        m.setProperties(tooLong);
        MessageProperties e = MessageMapping.toEngine(m, "", "q").properties();
        assertThat(e.appId()).isNull();
        assertThat(MessageMapping.toAmqp(new dev.junction.routing.api.Message("", "q", e, new byte[0]), 1, false)
                .getProperties().getGroupId()).isEqualTo("g".repeat(256));
    }
}
