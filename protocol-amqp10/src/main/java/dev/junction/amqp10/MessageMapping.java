package dev.junction.amqp10;

import dev.junction.routing.api.MessageProperties;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedByte;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Properties;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.message.Message;

/**
 * An AMQP 1.0 message ↔ the engine's {@link dev.junction.routing.api.Message} (the table in docs/amqp10.md). The
 * engine's properties are AMQP 0-9-1's basic properties, which the MQTT adapter maps onto MQTT 5's, so a field
 * that lands in a basic property or a header here reaches both other protocols:
 * <ul>
 * <li>header: durable ↔ delivery_mode 2/1, priority ↔ priority, ttl ↔ expiration (ms); delivery-count from the
 * queue's count of earlier deliveries;</li>
 * <li>properties: message-id ↔ message_id, user-id ↔ user_id, subject ↔ type, reply-to ↔ reply_to,
 * correlation-id ↔ correlation_id, content-type ↔ content_type, content-encoding ↔ content_encoding, creation-time
 * ↔ timestamp; ids that are no strings keep their type in {@code x-message-id-type} / {@code x-correlation-id-type};
 * a binary correlation-id is also {@code x-correlation-id-bytes}, the engine's header for correlation bytes that
 * MQTT 5's Correlation Data uses both ways, so binary correlation data becomes a binary correlation-id and back;
 * to, absolute-expiry-time, group-id, group-sequence, reply-to-group-id in headers {@code x-amqp-*}; group-id is
 * also 0-9-1's app-id, as RabbitMQ 4 pairs them, and 0-9-1's cluster-id the annotation {@code x-basic-cluster-id};</li>
 * <li>application-properties ↔ headers, message-annotations ↔ headers whose name starts with {@code x-} (Qpid
 * JMS's {@code x-opt-jms-*} annotations go back out as the bytes that client requires, or not at all);</li>
 * <li>body: a data section is the body's bytes, so 0-9-1 and MQTT clients get them as they are; an amqp-value
 * holding a string (a JMS TextMessage) is its UTF-8 bytes with {@code x-amqp-body = string}; other amqp-value and
 * amqp-sequence sections keep their AMQP encoding, marked {@code x-amqp-body = encoded}.</li>
 * </ul>
 */
final class MessageMapping {
    static final String BODY = "x-amqp-body";
    static final String TO = "x-amqp-to";
    static final String ABSOLUTE_EXPIRY = "x-amqp-absolute-expiry-time";
    static final String GROUP_ID = "x-amqp-group-id";
    static final String GROUP_SEQUENCE = "x-amqp-group-sequence";
    static final String REPLY_TO_GROUP_ID = "x-amqp-reply-to-group-id";
    static final String MESSAGE_ID_TYPE = "x-message-id-type";
    static final String CORRELATION_ID_TYPE = "x-correlation-id-type";
    /** Correlation bytes that are no text: the MQTT adapter's header for binary Correlation Data, read both ways. */
    static final String CORRELATION_BYTES = "x-correlation-id-bytes";
    /** 0-9-1's cluster-id, which AMQP 1.0 has no field for: a message annotation of this name, both ways. */
    static final String CLUSTER_ID = "x-basic-cluster-id";
    /** Annotations RabbitMQ 4 puts on every message it delivers over AMQP 1.0. */
    static final Symbol EXCHANGE = Symbol.valueOf("x-exchange");
    static final Symbol ROUTING_KEY = Symbol.valueOf("x-routing-key");
    private static final String EXCHANGE_NAME = EXCHANGE.toString();
    private static final String ROUTING_KEY_NAME = ROUTING_KEY.toString();
    /** Qpid JMS's annotations (message type, destination types): bytes in the AMQP JMS mapping. */
    private static final String JMS_ANNOTATION = "x-opt-jms-";
    private static final String STRING_BODY = "string";
    private static final String ENCODED_BODY = "encoded";

    private MessageMapping() {
    }

    /** The engine's properties and body for a received message. */
    static dev.junction.routing.api.Message toEngine(Message m, String exchange, String routingKey) {
        MessageProperties.Builder p = MessageProperties.builder();
        Header h = m.getHeader();
        p.deliveryMode(h != null && Boolean.TRUE.equals(h.getDurable())
                ? MessageProperties.PERSISTENT : MessageProperties.TRANSIENT);
        if (h != null && h.getPriority() != null) {
            p.priority(h.getPriority().intValue());
        }
        if (h != null && h.getTtl() != null) {
            p.expiration(Long.toString(h.getTtl().longValue()));
        }
        MessageAnnotations annotations = m.getMessageAnnotations();
        if (annotations != null && annotations.getValue() != null) {
            annotations.getValue().forEach((k, v) -> {
                p.header(k.toString(), AmqpValues.toEngine(v)); // kept as a header too: MQTT 5 sees it, and a long one
                if (CLUSTER_ID.equals(k.toString()) && v instanceof String id) {
                    p.clusterId(shortString(id));
                }
            });
        }
        ApplicationProperties app = m.getApplicationProperties();
        if (app != null && app.getValue() != null) {
            app.getValue().forEach((k, v) -> p.header(k, AmqpValues.toEngine(v)));
        }
        Properties props = m.getProperties();
        if (props != null) {
            properties(props, p);
        }
        byte[] body;
        Section section = m.getBody();
        if (section instanceof Data d) {
            body = AmqpValues.toEngine(d.getValue()) instanceof byte[] b ? b : new byte[0];
        } else if (section instanceof AmqpValue v && v.getValue() instanceof String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
            p.header(BODY, STRING_BODY);
        } else if (section != null) {
            body = Encoding.section(section);
            p.header(BODY, ENCODED_BODY);
        } else {
            body = new byte[0];
        }
        return new dev.junction.routing.api.Message(exchange, routingKey, p.build(), body);
    }

    private static void properties(Properties props, MessageProperties.Builder p) {
        p.messageId(AmqpValues.idText(props.getMessageId()));
        p.header(MESSAGE_ID_TYPE, AmqpValues.idType(props.getMessageId()));
        p.correlationId(AmqpValues.idText(props.getCorrelationId()));
        p.header(CORRELATION_ID_TYPE, AmqpValues.idType(props.getCorrelationId()));
        if (props.getCorrelationId() instanceof Binary id) {
            p.header(CORRELATION_BYTES, AmqpValues.toEngine(id));
        }
        if (props.getUserId() != null) {
            p.userId(new String((byte[]) AmqpValues.toEngine(props.getUserId()), StandardCharsets.UTF_8));
        }
        p.type(props.getSubject());
        p.replyTo(props.getReplyTo());
        p.contentType(props.getContentType() == null ? null : props.getContentType().toString());
        p.contentEncoding(props.getContentEncoding() == null ? null : props.getContentEncoding().toString());
        p.timestamp(props.getCreationTime() == null ? null : Instant.ofEpochMilli(props.getCreationTime().getTime()));
        p.header(TO, props.getTo());
        p.header(ABSOLUTE_EXPIRY, AmqpValues.toEngine(props.getAbsoluteExpiryTime()));
        p.header(GROUP_ID, props.getGroupId());
        p.appId(shortString(props.getGroupId())); // RabbitMQ 4's pair: group-id <-> 0-9-1 app-id
        p.header(GROUP_SEQUENCE, AmqpValues.toEngine(props.getGroupSequence()));
        p.header(REPLY_TO_GROUP_ID, props.getReplyToGroupId());
    }

    /**
     * The AMQP 1.0 message for a delivery: {@code deliveryCount} is the queue's count of deliveries so far,
     * this one included. The headers are read in one pass: the ones that stand for a field are picked out as they
     * come, the rest become annotations or application properties (a look-up per field and a search of the field
     * names per header cost more than the rest of the mapping on every delivered message).
     */
    static Message toAmqp(dev.junction.routing.api.Message engine, int deliveryCount, boolean redelivered) {
        MessageProperties p = engine.properties();
        Message m = Message.Factory.create();
        Header h = new Header();
        h.setDurable(p.persistent());
        if (p.priority() != null) {
            h.setPriority(UnsignedByte.valueOf((byte) Math.max(0, Math.min(255, p.priority()))));
        }
        Long ttl = expiration(p.expiration());
        if (ttl != null) {
            h.setTtl(UnsignedInteger.valueOf(Math.min(ttl, 0xFFFF_FFFFL)));
        }
        // delivery-count: the deliveries that counted (a released one does not [part 3 section 3.4.4]);
        // first-acquirer: whether the message was ever handed out before (as RabbitMQ 4 separates the two)
        int earlier = Math.max(0, deliveryCount - 1);
        h.setFirstAcquirer(earlier == 0 && !redelivered);
        if (earlier > 0) {
            h.setDeliveryCount(UnsignedInteger.valueOf(earlier));
        }
        m.setHeader(h);
        Map<String, Object> headers = p.headers();
        OutgoingHeaders out = new OutgoingHeaders(headers.size());
        out.annotations.put(EXCHANGE, engine.exchange());
        out.annotations.put(ROUTING_KEY, engine.routingKey());
        headers.forEach(out);
        if (p.clusterId() != null) {
            out.annotations.putIfAbsent(Symbol.valueOf(CLUSTER_ID), p.clusterId()); // a 1.0 publisher's header wins
        }
        m.setProperties(properties(p, out));
        m.setMessageAnnotations(new MessageAnnotations(out.annotations));
        if (out.app != null) {
            m.setApplicationProperties(new ApplicationProperties(out.app));
        }
        m.setBody(body(engine.body(), out.body));
        return m;
    }

    /**
     * The engine's headers of one outgoing message, sorted in one pass: those that stand for a field of the
     * properties or for the body's kind (kept aside), and the others as annotations ({@code x-...}, and values
     * application properties cannot hold) or application properties.
     */
    private static final class OutgoingHeaders implements java.util.function.BiConsumer<String, Object> {
        final Map<Symbol, Object> annotations;
        Map<String, Object> app;
        Object body;
        Object to;
        Object absoluteExpiry;
        Object groupId;
        Object groupSequence;
        Object replyToGroupId;
        Object messageIdType;
        Object correlationIdType;
        Object correlationBytes;

        OutgoingHeaders(int headers) {
            annotations = new LinkedHashMap<>(Math.max(4, (headers + 2) * 4 / 3 + 1));
        }

        @Override
        public void accept(String name, Object value) {
            if (name.startsWith("x-")) {
                if (field(name, value) || value == null || name.equals(EXCHANGE_NAME)
                        || name.equals(ROUTING_KEY_NAME)) {
                    return;
                }
                if (name.startsWith(JMS_ANNOTATION)) {
                    Byte jms = jmsAnnotation(value);
                    if (jms != null) {
                        annotations.put(Symbol.valueOf(name), jms);
                    }
                } else {
                    annotations.put(Symbol.valueOf(name), AmqpValues.toAmqp(value));
                }
            } else if (!AmqpValues.simple(value)) {
                annotations.put(Symbol.valueOf(name), AmqpValues.toAmqp(value));
            } else {
                if (app == null) {
                    app = new LinkedHashMap<>();
                }
                app.put(name, AmqpValues.toAmqp(value));
            }
        }

        /** Keeps {@code value} aside when {@code name} is a header that stands for a field; true then. */
        private boolean field(String name, Object value) {
            switch (name) {
                case BODY -> body = value;
                case TO -> to = value;
                case ABSOLUTE_EXPIRY -> absoluteExpiry = value;
                case GROUP_ID -> groupId = value;
                case GROUP_SEQUENCE -> groupSequence = value;
                case REPLY_TO_GROUP_ID -> replyToGroupId = value;
                case MESSAGE_ID_TYPE -> messageIdType = value;
                case CORRELATION_ID_TYPE -> correlationIdType = value;
                case CORRELATION_BYTES -> correlationBytes = value;
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    private static Properties properties(MessageProperties p, OutgoingHeaders h) {
        Properties props = new Properties();
        props.setMessageId(AmqpValues.id(p.messageId(), h.messageIdType));
        props.setCorrelationId(p.correlationId() == null && h.correlationBytes instanceof byte[] b ? new Binary(b)
                : AmqpValues.id(p.correlationId(), h.correlationIdType));
        if (p.userId() != null) {
            props.setUserId(new Binary(p.userId().getBytes(StandardCharsets.UTF_8)));
        }
        props.setSubject(p.type());
        props.setReplyTo(p.replyTo());
        props.setContentType(p.contentType() == null ? null : Symbol.valueOf(p.contentType()));
        props.setContentEncoding(p.contentEncoding() == null ? null : Symbol.valueOf(p.contentEncoding()));
        props.setCreationTime(p.timestamp() == null ? null : new Date(p.timestamp().toEpochMilli()));
        props.setTo(text(h.to));
        props.setAbsoluteExpiryTime(h.absoluteExpiry instanceof Instant t ? new Date(t.toEpochMilli()) : null);
        // the group-id a 1.0 publisher set (kept in its header), else a 0-9-1 publisher's app-id, as RabbitMQ 4 maps it
        props.setGroupId(h.groupId != null ? text(h.groupId) : p.appId());
        if (h.groupSequence instanceof Number n) {
            props.setGroupSequence(UnsignedInteger.valueOf(n.longValue()));
        }
        props.setReplyToGroupId(text(h.replyToGroupId));
        return props;
    }

    private static Section body(byte[] body, Object marker) {
        if (STRING_BODY.equals(text(marker))) {
            return new AmqpValue(new String(body, StandardCharsets.UTF_8));
        }
        if (ENCODED_BODY.equals(text(marker))) {
            Section s = Encoding.decodeSection(body);
            if (s != null) {
                return s;
            }
        }
        return new Data(new Binary(body));
    }

    /**
     * A Qpid JMS annotation's byte: as it was, or parsed back from the text an MQTT 5 user property made of it;
     * null (left out) when it is neither, since Qpid JMS cannot read a message whose annotation has another type.
     */
    private static Byte jmsAnnotation(Object value) {
        if (value instanceof Byte b) {
            return b;
        }
        try {
            return value instanceof String text ? Byte.valueOf(text) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long expiration(String expiration) {
        if (expiration == null || expiration.isEmpty()) {
            return null;
        }
        try {
            return Long.valueOf(expiration);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code s} where 0-9-1 can carry it (a short string: at most 255 bytes of UTF-8), else null. */
    private static String shortString(String s) {
        return s != null && s.length() <= 255 && s.getBytes(StandardCharsets.UTF_8).length <= 255 ? s : null;
    }

    private static String text(Object v) {
        return v == null ? null : v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : v.toString();
    }
}
