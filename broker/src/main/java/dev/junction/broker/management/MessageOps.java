package dev.junction.broker.management;

import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.queue.Queue;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's debugging verbs: {@code POST .../exchanges/{vhost}/{x}/publish} and {@code POST .../queues/{vhost}/{q}/get},
 * with RabbitMQ's bodies ({@code payload_encoding} "string" or "base64"; {@code ackmode} ack_requeue_true,
 * ack_requeue_false, reject_requeue_true, reject_requeue_false; {@code encoding} "auto" or "base64").
 */
final class MessageOps {

    Map<String, Object> publish(VirtualHost v, String exchange, Map<String, Object> body) {
        String routingKey = Values.required(body, "routing_key");
        String payload = Values.required(body, "payload");
        String encoding = Values.string(body, "payload_encoding", "string");
        byte[] bytes = switch (encoding) {
            case "string" -> payload.getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(payload);
                } catch (IllegalArgumentException e) {
                    throw ApiError.badRequest("payload is not valid base64");
                }
            }
            default -> throw ApiError.badRequest("payload_encoding must be string or base64, got " + encoding);
        };
        MessageProperties props = properties(Values.fromJson(body.get("properties"), "properties"));
        PublishResult result = v.publish(new Message(exchange, routingKey, props, bytes), true);
        if (result.routed()) {
            // Like a publisher confirm: answer once the queues (and the store, for persistent messages) have it.
            EntityResource.await(result.confirmed());
        }
        return Map.of("routed", result.routed());
    }

    private static MessageProperties properties(Map<String, Object> p) {
        var b = MessageProperties.builder();
        if (p.get("content_type") instanceof String s) {
            b.contentType(s);
        }
        if (p.get("content_encoding") instanceof String s) {
            b.contentEncoding(s);
        }
        if (p.get("headers") instanceof Map<?, ?>) {
            b.headers(Values.fromJson(p.get("headers"), "headers"));
        }
        if (p.containsKey("delivery_mode")) {
            b.deliveryMode(Values.integer(p, "delivery_mode", 1));
        }
        if (p.containsKey("priority")) {
            b.priority(Values.integer(p, "priority", 0));
        }
        if (p.get("correlation_id") instanceof String s) {
            b.correlationId(s);
        }
        if (p.get("reply_to") instanceof String s) {
            b.replyTo(s);
        }
        if (p.get("expiration") instanceof String s) {
            b.expiration(s);
        }
        if (p.get("message_id") instanceof String s) {
            b.messageId(s);
        }
        if (p.get("timestamp") instanceof Number n) {
            b.timestamp(Instant.ofEpochSecond(n.longValue()));
        }
        return b.build();
    }

    /** The most message body one get answer carries: the answer is built in memory, so a huge count is bounded. */
    static final long MAX_ANSWER_BYTES = 16L << 20;

    /**
     * Takes up to {@code count} messages, then settles them all at once, so a requeueing get does not take the
     * same message twice (RabbitMQ's behaviour). It stops early, after at least one message, once the bodies
     * taken reach {@link #MAX_ANSWER_BYTES}.
     */
    List<Map<String, Object>> get(Queue q, Map<String, Object> body) {
        int count = Values.integer(body, "count", 1);
        String ackmode = Values.required(body, "ackmode");
        Settlement settle = switch (ackmode) {
            case "ack_requeue_true", "reject_requeue_true" -> Settlement.REQUEUE;
            case "ack_requeue_false" -> Settlement.ACK;
            case "reject_requeue_false" -> Settlement.DISCARD;
            default -> throw ApiError.badRequest("ackmode must be one of ack_requeue_true, ack_requeue_false, "
                    + "reject_requeue_true, reject_requeue_false; got " + ackmode);
        };
        String encoding = Values.string(body, "encoding", "auto");
        if (!encoding.equals("auto") && !encoding.equals("base64")) {
            throw ApiError.badRequest("encoding must be auto or base64, got " + encoding);
        }
        int truncate = Values.integer(body, "truncate", Integer.MAX_VALUE);
        List<Delivery> taken = new ArrayList<>();
        long bytes = 0;
        try {
            for (int i = 0; i < count && bytes < MAX_ANSWER_BYTES; i++) {
                Delivery d = EntityResource.await(q.get(false));
                if (d == null) {
                    break;
                }
                taken.add(d);
                bytes += Math.min(d.message().bodySize(), truncate);
            }
        } finally {
            if (!taken.isEmpty()) {
                q.settle(taken.stream().mapToLong(Delivery::deliveryId).toArray(), settle);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Delivery d : taken) {
            out.add(view(d, encoding, truncate));
        }
        return out;
    }

    private static Map<String, Object> view(Delivery d, String encoding, int truncate) {
        Message m = d.message();
        byte[] body = m.body();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("payload_bytes", body.length);
        v.put("redelivered", d.redelivered());
        v.put("exchange", m.exchange());
        v.put("routing_key", m.routingKey());
        v.put("message_count", d.remaining());
        v.put("properties", properties(m.properties()));
        byte[] shown = body.length > truncate ? java.util.Arrays.copyOf(body, Math.max(0, truncate)) : body;
        String text = encoding.equals("auto") ? utf8(shown) : null;
        v.put("payload", text != null ? text : Base64.getEncoder().encodeToString(shown));
        v.put("payload_encoding", text != null ? "string" : "base64");
        return v;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static Map<String, Object> properties(MessageProperties p) {
        Map<String, Object> m = new LinkedHashMap<>();
        putIf(m, "content_type", p.contentType());
        putIf(m, "content_encoding", p.contentEncoding());
        if (p.headers() != null && !p.headers().isEmpty()) {
            m.put("headers", Values.toJson(p.headers()));
        }
        putIf(m, "delivery_mode", p.deliveryMode());
        putIf(m, "priority", p.priority());
        putIf(m, "correlation_id", p.correlationId());
        putIf(m, "reply_to", p.replyTo());
        putIf(m, "expiration", p.expiration());
        putIf(m, "message_id", p.messageId());
        putIf(m, "timestamp", p.timestamp() == null ? null : p.timestamp().getEpochSecond());
        putIf(m, "type", p.type());
        putIf(m, "user_id", p.userId());
        putIf(m, "app_id", p.appId());
        return m;
    }

    private static void putIf(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
