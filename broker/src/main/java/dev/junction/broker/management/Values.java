package dev.junction.broker.management;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between JSON values and the engine's AMQP field values, and the lenient reading RabbitMQ applies
 * to request bodies (rabbitmqadmin sends booleans and counts as strings: {@code "durable": "true"}).
 */
final class Values {
    private Values() {
    }

    static Map<String, Object> toJson(Map<String, Object> amqp) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (amqp != null) {
            amqp.forEach((k, v) -> out.put(k, toJson(v)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Object toJson(Object v) {
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        } else if (v instanceof Instant t) {
            return t.getEpochSecond();
        } else if (v instanceof Map<?, ?> map) {
            return toJson((Map<String, Object>) map);
        } else if (v instanceof List<?> list) {
            return list.stream().map(Values::toJson).toList();
        } else if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        return v.toString();
    }

    /** JSON arguments as the engine takes them: numbers that fit stay Integer, larger ones Long. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fromJson(Object json, String field) {
        if (json == null) {
            return Map.of();
        }
        if (!(json instanceof Map<?, ?> map)) {
            throw ApiError.badRequest("'" + field + "' must be a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<String, Object>) map).forEach((k, v) -> {
            if (v != null) {
                out.put(k, fromJsonValue(v));
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    /**
     * A queue body's {@code arguments}; with {@code typed} (a cluster node), a body's own {@code type} (RabbitMQ's
     * definitions export one per queue) becomes {@code x-queue-type} when the arguments name none, so a definition
     * that says classic stays classic instead of taking {@code cluster.default_queue_type} (docs/cluster.md,
     * "Default queue type"). A broker alone reads the arguments only, as it always did.
     */
    static Map<String, Object> queueArguments(Map<String, Object> body, boolean typed) {
        Map<String, Object> args = fromJson(body.get("arguments"), "arguments");
        if (!typed || body.get("type") == null || args.containsKey("x-queue-type")) {
            return args;
        }
        Map<String, Object> withType = new LinkedHashMap<>(args);
        withType.put("x-queue-type", String.valueOf(body.get("type")));
        return withType;
    }

    private static Object fromJsonValue(Object v) {
        if (v instanceof Map<?, ?>) {
            return fromJson(v, "arguments");
        } else if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(x -> out.add(fromJsonValue(x)));
            return out;
        } else if (v instanceof java.math.BigInteger b) {
            return b.longValue();
        }
        return v;
    }

    static boolean bool(Map<String, Object> body, String key, boolean dflt) {
        Object v = body.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw ApiError.badRequest("'" + key + "' must be true or false, got " + v);
    }

    static String string(Map<String, Object> body, String key, String dflt) {
        Object v = body.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw ApiError.badRequest("'" + key + "' must be a string, got " + v);
    }

    static String required(Map<String, Object> body, String key) {
        String s = string(body, key, null);
        if (s == null) {
            throw ApiError.badRequest("[{key_missing," + key + "}]");
        }
        return s;
    }

    static int integer(Map<String, Object> body, String key, int dflt) {
        Object v = body.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("'" + key + "' must be an integer, got " + v);
        }
    }

    /** RabbitMQ takes tags as a list or, from older tools, as one comma-separated string. */
    static List<String> tags(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return list.stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        List<String> out = new ArrayList<>();
        for (String t : v.toString().split(",")) {
            if (!t.trim().isEmpty()) {
                out.add(t.trim());
            }
        }
        return out;
    }
}
