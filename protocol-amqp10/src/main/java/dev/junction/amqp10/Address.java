package dev.junction.amqp10;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a link's terminus address names, in RabbitMQ's two address formats (docs/amqp10.md, "Addresses"):
 * <ul>
 * <li>v2, RabbitMQ 4: targets {@code /exchanges/:exchange/:routing-key}, {@code /exchanges/:exchange} (the routing
 * key is each message's subject), {@code /queues/:queue}, and the null target (each message's {@code to} holds one
 * of these); sources {@code /queues/:queue}. Segments are percent-encoded (RFC 3986 section 2.1).</li>
 * <li>v1, RabbitMQ 3.x's plugin: {@code /amq/queue/:q} (an existing queue), {@code /queue/:q} (declared durable when
 * missing), {@code /exchange/:x/:key} and {@code /exchange/:x}, {@code /topic/:key} (amq.topic); as sources,
 * {@code /exchange/:x/:key} and {@code /topic/:key} subscribe through a queue of the link's own, bound with the
 * key. Only {@code %2F} is unescaped, as that plugin did.</li>
 * <li>A plain name, what Qpid JMS sends for {@code createQueue("q")} and {@code createTopic("t")}: a queue as in
 * {@code /queue/:q}, as RabbitMQ 3.x did, unless the terminus has the {@code topic} capability, when it is
 * {@code /topic/:t}.</li>
 * </ul>
 * The default exchange is written {@code amq.default} and stands for the exchange named "".
 */
sealed interface Address {

    /** Capability Qpid JMS puts on the terminus of a JMS topic [AMQP JMS Mapping, terminus capabilities]. */
    String TOPIC_CAPABILITY = "topic";

    /** A queue by name; {@code declare}: made durable when missing (v1 and plain names), else it must exist. */
    record Queue(String name, boolean declare) implements Address {
    }

    /** Publish to {@code exchange} with {@code routingKey}; a null key is taken from each message's subject. */
    record Exchange(String exchange, String routingKey) implements Address {
    }

    /** Subscribe to {@code exchange} with binding key {@code key} through a queue that lives with the link. */
    record Subscription(String exchange, String key) implements Address {
    }

    /** The null target: each message's {@code to} is its address. */
    record PerMessage() implements Address {
    }

    /** A link's target: where its messages go. */
    static Address target(String address, Set<String> capabilities) {
        if (address == null) {
            return new PerMessage();
        }
        Address a = parse(address, capabilities);
        if (a instanceof Subscription s) {
            return new Exchange(s.exchange(), s.key()); // a v1 topic, written to, is its exchange and key
        }
        return a;
    }

    /** A link's source: where its messages come from. */
    static Address source(String address, Set<String> capabilities) {
        if (address == null) {
            throw invalid("a source needs an address");
        }
        Address a = parse(address, capabilities);
        if (a instanceof Exchange) {
            throw invalid("'" + address + "' is a target address; consume from /queues/:queue");
        }
        return a;
    }

    /** The address a message's {@code to} names, for the null target; only the v2 target forms. */
    static Address messageTo(String to) {
        if (to == null || !(to.startsWith("/exchanges/") || to.startsWith("/queues/"))) {
            throw invalid("'to' must be /exchanges/:exchange[/:routing-key] or /queues/:queue, got '" + to + "'");
        }
        return parse(to, Set.of());
    }

    private static Address parse(String address, Set<String> capabilities) {
        if (!address.startsWith("/")) {
            if (address.isEmpty()) {
                throw invalid("empty address");
            }
            return capabilities.contains(TOPIC_CAPABILITY) ? new Subscription("amq.topic", address)
                    : new Queue(address, true);
        }
        String[] p = address.substring(1).split("/", -1);
        String kind = p[0];
        switch (kind) {
            case "queues" -> {
                require(p.length == 2 && !p[1].isEmpty(), address);
                return new Queue(decode(p[1], address), false);
            }
            case "exchanges" -> {
                require((p.length == 2 || p.length == 3) && !p[1].isEmpty(), address);
                String exchange = decode(p[1], address);
                if (exchange.equals("amq.default")) {
                    throw invalid("the default exchange is addressed as /queues/:queue");
                }
                return new Exchange(exchange, p.length == 3 ? decode(p[2], address) : null);
            }
            case "amq" -> {
                require(p.length == 3 && p[1].equals("queue") && !p[2].isEmpty(), address);
                return new Queue(v1(p[2]), false);
            }
            case "queue" -> {
                require(p.length == 2 && !p[1].isEmpty(), address);
                return new Queue(v1(p[1]), true);
            }
            case "exchange" -> {
                require((p.length == 2 || p.length == 3) && !p[1].isEmpty(), address);
                String exchange = v1(p[1]).equals("amq.default") ? "" : v1(p[1]);
                return p.length == 3 ? new Subscription(exchange, v1(p[2])) : new Exchange(exchange, null);
            }
            case "topic" -> {
                require(p.length == 2 && !p[1].isEmpty(), address);
                return new Subscription("amq.topic", v1(p[1]));
            }
            default -> throw invalid("unknown address '" + address + "'");
        }
    }

    private static void require(boolean wellFormed, String address) {
        if (!wellFormed) {
            throw invalid("malformed address '" + address + "'");
        }
    }

    private static Refusal invalid(String why) {
        return Refusal.link(Condition.INVALID_FIELD, why);
    }

    /** v1 segments: RabbitMQ 3.x unescaped only {@code %2F}. */
    private static String v1(String segment) {
        return segment.replace("%2F", "/").replace("%2f", "/");
    }

    /** RFC 3986 percent-decoding; runs of escapes are UTF-8, '+' stays '+'. */
    static String decode(String segment, String address) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        StringBuilder text = new StringBuilder(segment.length());
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                flush(escaped, text);
                text.append(c);
                continue;
            }
            int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
            if (lo < 0) {
                throw invalid("malformed percent-encoding in '" + address + "'");
            }
            escaped.write(hi << 4 | lo);
            i += 2;
        }
        flush(escaped, text);
        return text.toString();
    }

    private static void flush(ByteArrayOutputStream escaped, StringBuilder text) {
        if (escaped.size() > 0) {
            text.append(escaped.toString(StandardCharsets.UTF_8));
            escaped.reset();
        }
    }
}
