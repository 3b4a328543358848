package dev.junction.routing.api;

import java.util.Objects;

/**
 * The one message type of the core: a body, its properties and the routing annotations it was published with.
 * Immutable; the body array is owned by the message and must not be modified after construction.
 */
public final class Message {
    private final String exchange;
    private final String routingKey;
    private final MessageProperties properties;
    private final byte[] body;

    public Message(String exchange, String routingKey, MessageProperties properties, byte[] body) {
        this.exchange = Objects.requireNonNull(exchange, "exchange");
        this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
        this.properties = properties == null ? MessageProperties.EMPTY : properties;
        this.body = body == null ? new byte[0] : body;
    }

    public String exchange() {
        return exchange;
    }

    public String routingKey() {
        return routingKey;
    }

    public MessageProperties properties() {
        return properties;
    }

    /** The body; callers must not modify the array. */
    public byte[] body() {
        return body;
    }

    public int bodySize() {
        return body.length;
    }

    public boolean persistent() {
        return properties.persistent();
    }

    public Message withProperties(MessageProperties newProperties) {
        return new Message(exchange, routingKey, newProperties, body);
    }

    public Message withRouting(String newExchange, String newRoutingKey) {
        return new Message(newExchange, newRoutingKey, properties, body);
    }

    @Override
    public String toString() {
        return "Message[exchange=" + exchange + ", routingKey=" + routingKey + ", " + body.length + " bytes]";
    }
}
