package dev.junction.routing.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The protocol-neutral properties of a message: AMQP 0-9-1's fourteen basic properties, which MQTT 5's publish
 * properties map onto at the adapter's edge. {@code null} means "absent".
 *
 * <p>Header values use plain Java types so the core never sees protocol classes: String, Boolean, Byte,
 * Short, Integer, Long, Float, Double, BigDecimal, Instant (timestamp), byte[], List (array), Map (table),
 * or null (void).
 */
public record MessageProperties(
        String contentType,
        String contentEncoding,
        Map<String, Object> headers,
        Integer deliveryMode,
        Integer priority,
        String correlationId,
        String replyTo,
        String expiration,
        String messageId,
        Instant timestamp,
        String type,
        String userId,
        String appId,
        String clusterId) {

    public static final int TRANSIENT = 1;
    public static final int PERSISTENT = 2;
    public static final MessageProperties EMPTY = builder().build();

    public MessageProperties {
        // A table from the Builder is handed over, not copied: the builder never changes it after build() (it copies
        // before its next change), and only the builder makes one. Any other map is copied, so a caller's later
        // change cannot reach the message. Every MQTT PUBLISH builds its properties so: one copy less per message.
        headers = headers == null ? Map.of()
                : Collections.unmodifiableMap(headers instanceof BuilderHeaders ? headers : new LinkedHashMap<>(headers));
    }

    /** The Builder's own header table; see the canonical constructor. */
    private static final class BuilderHeaders extends LinkedHashMap<String, Object> {
        BuilderHeaders(Map<String, Object> from) {
            super(from);
        }

        BuilderHeaders() {
        }
    }

    public boolean persistent() {
        return deliveryMode != null && deliveryMode == PERSISTENT;
    }

    public Object header(String name) {
        return headers.get(name);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(null);
    }

    public static final class Builder {
        private String contentType;
        private String contentEncoding;
        private Map<String, Object> headers;
        /** Whether {@link #headers} went into a built MessageProperties: the next change copies it first. */
        private boolean headersHandedOver;
        private Integer deliveryMode;
        private Integer priority;
        private String correlationId;
        private String replyTo;
        private String expiration;
        private String messageId;
        private Instant timestamp;
        private String type;
        private String userId;
        private String appId;
        private String clusterId;

        private Builder(MessageProperties p) {
            if (p == null) {
                return;
            }
            contentType = p.contentType;
            contentEncoding = p.contentEncoding;
            headers = p.headers.isEmpty() ? null : new BuilderHeaders(p.headers);
            deliveryMode = p.deliveryMode;
            priority = p.priority;
            correlationId = p.correlationId;
            replyTo = p.replyTo;
            expiration = p.expiration;
            messageId = p.messageId;
            timestamp = p.timestamp;
            type = p.type;
            userId = p.userId;
            appId = p.appId;
            clusterId = p.clusterId;
        }

        public Builder contentType(String v) { contentType = v; return this; }
        public Builder contentEncoding(String v) { contentEncoding = v; return this; }
        public Builder headers(Map<String, Object> v) {
            headers = v == null ? null : new BuilderHeaders(v);
            headersHandedOver = false;
            return this;
        }
        public Builder deliveryMode(Integer v) { deliveryMode = v; return this; }
        public Builder priority(Integer v) { priority = v; return this; }
        public Builder correlationId(String v) { correlationId = v; return this; }
        public Builder replyTo(String v) { replyTo = v; return this; }
        public Builder expiration(String v) { expiration = v; return this; }
        public Builder messageId(String v) { messageId = v; return this; }
        public Builder timestamp(Instant v) { timestamp = v; return this; }
        public Builder type(String v) { type = v; return this; }
        public Builder userId(String v) { userId = v; return this; }
        public Builder appId(String v) { appId = v; return this; }
        public Builder clusterId(String v) { clusterId = v; return this; }

        /** Sets one header, or removes it when {@code value} is null. */
        public Builder header(String name, Object value) {
            ownHeaders();
            if (headers == null) {
                headers = new BuilderHeaders();
            }
            if (value == null) {
                headers.remove(name);
            } else {
                headers.put(name, value);
            }
            return this;
        }

        public Builder removeHeader(String name) {
            ownHeaders();
            if (headers != null) {
                headers.remove(name);
            }
            return this;
        }

        private void ownHeaders() {
            if (headersHandedOver) {
                headers = new BuilderHeaders(headers);
                headersHandedOver = false;
            }
        }

        public MessageProperties build() {
            headersHandedOver = headers != null;
            return new MessageProperties(contentType, contentEncoding, headers, deliveryMode, priority,
                    correlationId, replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
        }
    }
}
