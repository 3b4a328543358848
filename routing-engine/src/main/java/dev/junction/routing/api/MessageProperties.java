package dev.junction.routing.api;

import java.time.Instant;
import java.util.Arrays;
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

    /** Up to this many headers are kept in two arrays (linear lookup); more in a hash table. */
    static final int SMALL_HEADERS = 16;

    public MessageProperties {
        // Arrays from the Builder are handed over, not copied: the builder never changes them after build() (it
        // copies before its next change), and only the builder makes them. Any other map is copied, so a caller's
        // later change cannot reach the message. Few headers (an MQTT PUBLISH has three) are kept in two arrays, not
        // a hash table: every message held in a queue carries them, and a backlog of millions is what the garbage
        // collector copies (about 90 bytes instead of 290 for three headers).
        headers = headers == null || headers.isEmpty() ? Map.of()
                : headers instanceof ArgumentTable ? headers
                : headers.size() <= SMALL_HEADERS ? ArgumentTable.copyOf(headers)
                : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
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
        /** Header names and values in insertion order, {@code headerCount} of them; null until the first. */
        private String[] headerNames;
        private Object[] headerValues;
        private int headerCount;
        /** Whether the header arrays went into a built MessageProperties: the next change copies them first. */
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
            setHeaders(p.headers);
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
            setHeaders(v);
            return this;
        }

        private void setHeaders(Map<String, Object> v) {
            headersHandedOver = false;
            headerCount = 0;
            headerNames = null;
            headerValues = null;
            if (v != null && !v.isEmpty()) {
                headerNames = new String[v.size()];
                headerValues = new Object[v.size()];
                for (Map.Entry<String, Object> e : v.entrySet()) {
                    headerNames[headerCount] = e.getKey();
                    headerValues[headerCount++] = e.getValue();
                }
            }
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

        /** Sets one header, or removes it when {@code value} is null; a name set again keeps its place. */
        public Builder header(String name, Object value) {
            if (value == null) {
                return removeHeader(name);
            }
            ownHeaders();
            int i = headerIndex(name);
            if (i >= 0) {
                headerValues[i] = value;
                return this;
            }
            if (headerNames == null) {
                headerNames = new String[4];
                headerValues = new Object[4];
            } else if (headerCount == headerNames.length) {
                headerNames = Arrays.copyOf(headerNames, Math.max(4, headerCount * 2));
                headerValues = Arrays.copyOf(headerValues, headerNames.length);
            }
            headerNames[headerCount] = name;
            headerValues[headerCount++] = value;
            return this;
        }

        public Builder removeHeader(String name) {
            int i = headerIndex(name);
            if (i >= 0) {
                ownHeaders();
                System.arraycopy(headerNames, i + 1, headerNames, i, headerCount - i - 1);
                System.arraycopy(headerValues, i + 1, headerValues, i, headerCount - i - 1);
                headerCount--;
                headerNames[headerCount] = null;
                headerValues[headerCount] = null;
            }
            return this;
        }

        private int headerIndex(String name) {
            for (int i = 0; i < headerCount; i++) {
                if (headerNames[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        private void ownHeaders() {
            if (headersHandedOver) {
                headerNames = headerNames.clone();
                headerValues = headerValues.clone();
                headersHandedOver = false;
            }
        }

        /** The headers for a message being built: the arrays themselves when few, handed over. */
        private Map<String, Object> builtHeaders() {
            if (headerCount == 0) {
                return null;
            }
            if (headerCount > SMALL_HEADERS) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < headerCount; i++) {
                    m.put(headerNames[i], headerValues[i]);
                }
                return m; // made unmodifiable by the canonical constructor
            }
            // Handed over with any room left: a builder's next change copies first, and four slots take the memory
            // of three (object alignment).
            headersHandedOver = true;
            return ArgumentTable.of(headerNames, headerValues, headerCount);
        }

        public MessageProperties build() {
            return new MessageProperties(contentType, contentEncoding, builtHeaders(), deliveryMode, priority,
                    correlationId, replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
        }
    }
}
