package dev.junction.amqp.codec;

import static dev.junction.amqp.codec.FieldType.BIT;
import static dev.junction.amqp.codec.FieldType.LONG;
import static dev.junction.amqp.codec.FieldType.LONGLONG;
import static dev.junction.amqp.codec.FieldType.LONGSTR;
import static dev.junction.amqp.codec.FieldType.OCTET;
import static dev.junction.amqp.codec.FieldType.SHORT;
import static dev.junction.amqp.codec.FieldType.SHORTSTR;
import static dev.junction.amqp.codec.FieldType.TABLE;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Every AMQP 0-9-1 method RabbitMQ implements, in both directions, with its class and method ids and its
 * arguments in wire order. Field names are spelled as in RabbitMQ's protocol definition ({@code "nowait"},
 * {@code "reply-code"}, ...). A constant carrying {@code true} after its name is followed by content
 * (a header frame and body frames).
 */
public enum MethodType {
    CONNECTION_START(10, 10, "connection.start", f("version-major", OCTET), f("version-minor", OCTET),
            f("server-properties", TABLE), f("mechanisms", LONGSTR), f("locales", LONGSTR)),
    CONNECTION_START_OK(10, 11, "connection.start-ok", f("client-properties", TABLE), f("mechanism", SHORTSTR),
            f("response", LONGSTR), f("locale", SHORTSTR)),
    CONNECTION_SECURE(10, 20, "connection.secure", f("challenge", LONGSTR)),
    CONNECTION_SECURE_OK(10, 21, "connection.secure-ok", f("response", LONGSTR)),
    CONNECTION_TUNE(10, 30, "connection.tune", f("channel-max", SHORT), f("frame-max", LONG), f("heartbeat", SHORT)),
    CONNECTION_TUNE_OK(10, 31, "connection.tune-ok", f("channel-max", SHORT), f("frame-max", LONG),
            f("heartbeat", SHORT)),
    CONNECTION_OPEN(10, 40, "connection.open", f("virtual-host", SHORTSTR), f("capabilities", SHORTSTR),
            f("insist", BIT)),
    CONNECTION_OPEN_OK(10, 41, "connection.open-ok", f("known-hosts", SHORTSTR)),
    CONNECTION_CLOSE(10, 50, "connection.close", f("reply-code", SHORT), f("reply-text", SHORTSTR),
            f("class-id", SHORT), f("method-id", SHORT)),
    CONNECTION_CLOSE_OK(10, 51, "connection.close-ok"),
    CONNECTION_BLOCKED(10, 60, "connection.blocked", f("reason", SHORTSTR)),
    CONNECTION_UNBLOCKED(10, 61, "connection.unblocked"),
    CONNECTION_UPDATE_SECRET(10, 70, "connection.update-secret", f("new-secret", LONGSTR), f("reason", SHORTSTR)),
    CONNECTION_UPDATE_SECRET_OK(10, 71, "connection.update-secret-ok"),
    CHANNEL_OPEN(20, 10, "channel.open", f("out-of-band", SHORTSTR)),
    CHANNEL_OPEN_OK(20, 11, "channel.open-ok", f("channel-id", LONGSTR)),
    CHANNEL_FLOW(20, 20, "channel.flow", f("active", BIT)),
    CHANNEL_FLOW_OK(20, 21, "channel.flow-ok", f("active", BIT)),
    CHANNEL_CLOSE(20, 40, "channel.close", f("reply-code", SHORT), f("reply-text", SHORTSTR), f("class-id", SHORT),
            f("method-id", SHORT)),
    CHANNEL_CLOSE_OK(20, 41, "channel.close-ok"),
    ACCESS_REQUEST(30, 10, "access.request", f("realm", SHORTSTR), f("exclusive", BIT), f("passive", BIT),
            f("active", BIT), f("write", BIT), f("read", BIT)),
    ACCESS_REQUEST_OK(30, 11, "access.request-ok", f("ticket", SHORT)),
    EXCHANGE_DECLARE(40, 10, "exchange.declare", f("ticket", SHORT), f("exchange", SHORTSTR), f("type", SHORTSTR),
            f("passive", BIT), f("durable", BIT), f("auto-delete", BIT), f("internal", BIT), f("nowait", BIT),
            f("arguments", TABLE)),
    EXCHANGE_DECLARE_OK(40, 11, "exchange.declare-ok"),
    EXCHANGE_DELETE(40, 20, "exchange.delete", f("ticket", SHORT), f("exchange", SHORTSTR), f("if-unused", BIT),
            f("nowait", BIT)),
    EXCHANGE_DELETE_OK(40, 21, "exchange.delete-ok"),
    EXCHANGE_BIND(40, 30, "exchange.bind", f("ticket", SHORT), f("destination", SHORTSTR), f("source", SHORTSTR),
            f("routing-key", SHORTSTR), f("nowait", BIT), f("arguments", TABLE)),
    EXCHANGE_BIND_OK(40, 31, "exchange.bind-ok"),
    EXCHANGE_UNBIND(40, 40, "exchange.unbind", f("ticket", SHORT), f("destination", SHORTSTR), f("source", SHORTSTR),
            f("routing-key", SHORTSTR), f("nowait", BIT), f("arguments", TABLE)),
    EXCHANGE_UNBIND_OK(40, 51, "exchange.unbind-ok"),
    QUEUE_DECLARE(50, 10, "queue.declare", f("ticket", SHORT), f("queue", SHORTSTR), f("passive", BIT),
            f("durable", BIT), f("exclusive", BIT), f("auto-delete", BIT), f("nowait", BIT), f("arguments", TABLE)),
    QUEUE_DECLARE_OK(50, 11, "queue.declare-ok", f("queue", SHORTSTR), f("message-count", LONG),
            f("consumer-count", LONG)),
    QUEUE_BIND(50, 20, "queue.bind", f("ticket", SHORT), f("queue", SHORTSTR), f("exchange", SHORTSTR),
            f("routing-key", SHORTSTR), f("nowait", BIT), f("arguments", TABLE)),
    QUEUE_BIND_OK(50, 21, "queue.bind-ok"),
    QUEUE_PURGE(50, 30, "queue.purge", f("ticket", SHORT), f("queue", SHORTSTR), f("nowait", BIT)),
    QUEUE_PURGE_OK(50, 31, "queue.purge-ok", f("message-count", LONG)),
    QUEUE_DELETE(50, 40, "queue.delete", f("ticket", SHORT), f("queue", SHORTSTR), f("if-unused", BIT),
            f("if-empty", BIT), f("nowait", BIT)),
    QUEUE_DELETE_OK(50, 41, "queue.delete-ok", f("message-count", LONG)),
    QUEUE_UNBIND(50, 50, "queue.unbind", f("ticket", SHORT), f("queue", SHORTSTR), f("exchange", SHORTSTR),
            f("routing-key", SHORTSTR), f("arguments", TABLE)),
    QUEUE_UNBIND_OK(50, 51, "queue.unbind-ok"),
    BASIC_QOS(60, 10, "basic.qos", f("prefetch-size", LONG), f("prefetch-count", SHORT), f("global", BIT)),
    BASIC_QOS_OK(60, 11, "basic.qos-ok"),
    BASIC_CONSUME(60, 20, "basic.consume", f("ticket", SHORT), f("queue", SHORTSTR), f("consumer-tag", SHORTSTR),
            f("no-local", BIT), f("no-ack", BIT), f("exclusive", BIT), f("nowait", BIT), f("arguments", TABLE)),
    BASIC_CONSUME_OK(60, 21, "basic.consume-ok", f("consumer-tag", SHORTSTR)),
    BASIC_CANCEL(60, 30, "basic.cancel", f("consumer-tag", SHORTSTR), f("nowait", BIT)),
    BASIC_CANCEL_OK(60, 31, "basic.cancel-ok", f("consumer-tag", SHORTSTR)),
    BASIC_PUBLISH(60, 40, "basic.publish", true, f("ticket", SHORT), f("exchange", SHORTSTR),
            f("routing-key", SHORTSTR), f("mandatory", BIT), f("immediate", BIT)),
    BASIC_RETURN(60, 50, "basic.return", true, f("reply-code", SHORT), f("reply-text", SHORTSTR),
            f("exchange", SHORTSTR), f("routing-key", SHORTSTR)),
    BASIC_DELIVER(60, 60, "basic.deliver", true, f("consumer-tag", SHORTSTR), f("delivery-tag", LONGLONG),
            f("redelivered", BIT), f("exchange", SHORTSTR), f("routing-key", SHORTSTR)),
    BASIC_GET(60, 70, "basic.get", f("ticket", SHORT), f("queue", SHORTSTR), f("no-ack", BIT)),
    BASIC_GET_OK(60, 71, "basic.get-ok", true, f("delivery-tag", LONGLONG), f("redelivered", BIT),
            f("exchange", SHORTSTR), f("routing-key", SHORTSTR), f("message-count", LONG)),
    BASIC_GET_EMPTY(60, 72, "basic.get-empty", f("cluster-id", SHORTSTR)),
    BASIC_ACK(60, 80, "basic.ack", f("delivery-tag", LONGLONG), f("multiple", BIT)),
    BASIC_REJECT(60, 90, "basic.reject", f("delivery-tag", LONGLONG), f("requeue", BIT)),
    BASIC_RECOVER_ASYNC(60, 100, "basic.recover-async", f("requeue", BIT)),
    BASIC_RECOVER(60, 110, "basic.recover", f("requeue", BIT)),
    BASIC_RECOVER_OK(60, 111, "basic.recover-ok"),
    BASIC_NACK(60, 120, "basic.nack", f("delivery-tag", LONGLONG), f("multiple", BIT), f("requeue", BIT)),
    TX_SELECT(90, 10, "tx.select"),
    TX_SELECT_OK(90, 11, "tx.select-ok"),
    TX_COMMIT(90, 20, "tx.commit"),
    TX_COMMIT_OK(90, 21, "tx.commit-ok"),
    TX_ROLLBACK(90, 30, "tx.rollback"),
    TX_ROLLBACK_OK(90, 31, "tx.rollback-ok"),
    CONFIRM_SELECT(85, 10, "confirm.select", f("nowait", BIT)),
    CONFIRM_SELECT_OK(85, 11, "confirm.select-ok");

    private static final MethodType[][] BY_ID = index();

    private final int classId;
    private final int methodId;
    private final String amqpName;
    private final boolean hasContent;
    private final List<Field> fields;
    final FieldType[] types;
    final String[] names;

    MethodType(int classId, int methodId, String amqpName, Field... fields) {
        this(classId, methodId, amqpName, false, fields);
    }

    MethodType(int classId, int methodId, String amqpName, boolean hasContent, Field... fields) {
        this.classId = classId;
        this.methodId = methodId;
        this.amqpName = amqpName;
        this.hasContent = hasContent;
        this.fields = List.of(fields);
        this.types = new FieldType[fields.length];
        this.names = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            types[i] = fields[i].type();
            names[i] = fields[i].name().intern(); // see indexOf
        }
    }

    private static Field f(String name, FieldType type) {
        return new Field(name, type);
    }

    private static MethodType[][] index() {
        MethodType[][] byId = new MethodType[0][];
        for (MethodType t : values()) {
            if (t.classId >= byId.length) {
                byId = java.util.Arrays.copyOf(byId, t.classId + 1);
            }
            MethodType[] methods = byId[t.classId];
            if (methods == null) {
                methods = new MethodType[t.methodId + 1];
            } else if (t.methodId >= methods.length) {
                methods = java.util.Arrays.copyOf(methods, t.methodId + 1);
            }
            methods[t.methodId] = t;
            byId[t.classId] = methods;
        }
        return byId;
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /** The name as the protocol definition writes it, e.g. {@code "basic.publish"}. */
    public String amqpName() {
        return amqpName;
    }

    /** The arguments in wire order. */
    /** Whether the method has a field named {@code name} (only some methods have {@code nowait}). */
    public boolean hasField(String name) {
        return fields().stream().anyMatch(f -> f.name().equals(name));
    }

    public List<Field> fields() {
        return fields;
    }

    /** Whether content (header + body frames) follows: basic.publish, basic.return, basic.deliver, basic.get-ok. */
    public boolean hasContent() {
        return hasContent;
    }

    /** The method with these ids, or null when there is none. */
    public static MethodType of(int classId, int methodId) {
        if (classId < 0 || classId >= BY_ID.length || methodId < 0) {
            return null;
        }
        MethodType[] methods = BY_ID[classId];
        return methods == null || methodId >= methods.length ? null : methods[methodId];
    }

    /**
     * The index of the named field, or -1. Callers name fields with string literals, which are the same (interned)
     * objects as {@link #names}: a pass comparing references finds them without comparing characters (basic.publish
     * and basic.ack look up four to six fields per message); any other equal string is found by the second pass.
     */
    int indexOf(String field) {
        String[] n = names;
        for (int i = 0; i < n.length; i++) {
            if (n[i] == field) {
                return i;
            }
        }
        for (int i = 0; i < n.length; i++) {
            if (n[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Builds a method from its arguments in wire order, checking their number and types. Accepted values:
     * octet/short/long/longlong: Integer, Long, Short or Byte within the field's unsigned range (longlong: any);
     * shortstr: String; longstr: String (sent as UTF-8) or byte[] (not copied); bit: Boolean;
     * table: Map (null means an empty table); timestamp: Instant.
     *
     * @throws IllegalArgumentException on a wrong count, a wrong type or a value out of range
     */
    public Method with(Object... args) {
        FieldType[] t = types;
        if (args.length != t.length) {
            throw new IllegalArgumentException(amqpName + " takes " + t.length + " arguments " + names()
                    + ", got " + args.length);
        }
        Object[] values = new Object[t.length];
        for (int i = 0; i < t.length; i++) {
            values[i] = checked(i, t[i], args[i]);
        }
        return new Method(this, values);
    }

    private Object checked(int i, FieldType type, Object v) {
        switch (type) {
            case BIT:
                if (v instanceof Boolean) {
                    return v;
                }
                break;
            case SHORTSTR:
                if (v instanceof String s) {
                    if (s.length() > Wire.MAX_SHORTSTR) {
                        throw new IllegalArgumentException(
                                amqpName + " " + names[i] + ": shortstr longer than 255 bytes");
                    }
                    return v;
                }
                break;
            case LONGLONG:
                if (v instanceof Long) {
                    return v;
                }
                if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    return ((Number) v).longValue();
                }
                break;
            case OCTET:
                return Integer.valueOf((int) unsigned(i, v, 0xFFL));
            case SHORT:
                return Integer.valueOf((int) unsigned(i, v, 0xFFFFL));
            case LONG:
                return Long.valueOf(unsigned(i, v, 0xFFFF_FFFFL));
            case LONGSTR:
                if (v instanceof byte[]) {
                    return v;
                }
                if (v instanceof String s) {
                    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                break;
            case TABLE:
                if (v == null) {
                    return Map.of();
                }
                if (v instanceof Map<?, ?>) {
                    return v;
                }
                break;
            case TIMESTAMP:
                if (v instanceof Instant) {
                    return v;
                }
                break;
            default:
                break;
        }
        throw wrongType(i, v);
    }

    private long unsigned(int i, Object v, long max) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long value = ((Number) v).longValue();
            if (value < 0 || value > max) {
                throw new IllegalArgumentException(amqpName + " " + names[i] + ": " + value + " is outside 0.." + max);
            }
            return value;
        }
        throw wrongType(i, v);
    }

    private IllegalArgumentException wrongType(int i, Object v) {
        return new IllegalArgumentException(amqpName + " " + names[i] + " is " + types[i].name().toLowerCase()
                + ", not " + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private String names() {
        return "(" + String.join(", ", names) + ")";
    }
}
