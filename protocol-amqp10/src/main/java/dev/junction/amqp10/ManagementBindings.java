package dev.junction.amqp10;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Vhost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bindings as the management node names them. RabbitMQ 4 gives each binding a location,
 * {@code /bindings/src=:x;dstq=:q;key=:key;args=:id} ({@code dste} for an exchange destination), whose fields are
 * percent-encoded; {@code args} is empty for a binding without arguments, else an id of its arguments. Its
 * clients unbind a binding without arguments by that location directly, and one with arguments by listing
 * {@code GET /bindings?src=&dstq=&key=} and deleting the location of the entry whose arguments match.
 */
final class ManagementBindings {
    private ManagementBindings() {
    }

    /** The {@code name=value} fields of a location ({@code ;}) or a query ({@code &}), percent-decoded. */
    static Map<String, String> fields(String text, String separator, String to) {
        Map<String, String> out = new HashMap<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String field : text.split(separator, -1)) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                out.put(field.substring(0, eq), Address.decode(field.substring(eq + 1), to));
            }
        }
        return out;
    }

    /** The bindings from {@code src} to {@code dstq} or {@code dste}, with {@code key} when the fields have one. */
    static List<Binding> matching(Vhost vhost, Map<String, String> f) {
        String source = f.get("src");
        boolean toQueue = f.containsKey("dstq");
        String destination = toQueue ? f.get("dstq") : f.get("dste");
        if (source == null || destination == null) {
            throw Refusal.link(Condition.INVALID_FIELD, "a binding needs 'src' and 'dstq' or 'dste'");
        }
        String key = f.get("key");
        List<Binding> out = new ArrayList<>();
        for (Binding b : vhost.bindingsFrom(source)) {
            if (b.toQueue() == toQueue && b.destination().equals(destination)
                    && (key == null || key.equals(b.routingKey()))) {
                out.add(b);
            }
        }
        return out;
    }

    /** {@code GET /bindings?...}: each matching binding with its location. */
    static List<Object> list(Vhost vhost, Map<String, String> query) {
        List<Object> out = new ArrayList<>();
        for (Binding b : matching(vhost, query)) {
            Map<String, Object> m = new LinkedHashMap<>();
            String kind = b.toQueue() ? "dstq" : "dste";
            m.put("source", b.source());
            m.put("vhost", vhost.name());
            m.put(b.toQueue() ? "destination_queue" : "destination_exchange", b.destination());
            m.put("binding_key", b.routingKey());
            Map<String, Object> args = new LinkedHashMap<>();
            b.arguments().forEach((k, v) -> args.put(k, AmqpValues.toAmqp(v)));
            m.put("arguments", args);
            m.put("location", "/bindings/src=" + encode(b.source()) + ";" + kind + "=" + encode(b.destination())
                    + ";key=" + encode(b.routingKey()) + ";args=" + argsId(b.arguments()));
            out.add(m);
        }
        return out;
    }

    /** Empty without arguments; else a hex digest of them in key order, stable for the broker's lifetime. */
    static String argsId(Map<String, Object> arguments) {
        if (arguments == null || arguments.isEmpty()) {
            return "";
        }
        return Integer.toHexString(new TreeMap<>(arguments).toString().hashCode());
    }

    /** Percent-encodes all but RFC 3986's unreserved characters [RFC 3986 section 2.3]. */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }
}
