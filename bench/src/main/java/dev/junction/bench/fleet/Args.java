package dev.junction.bench.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} arguments of the fleet tools. Every key has a default in the tool, so a command line names
 * only what differs, and the tool prints every value it used ({@link #describe()}) so a result file says how it
 * was made.
 */
final class Args {
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    Args(String[] args) {
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            given.put(a.substring(0, eq), a.substring(eq + 1));
        }
    }

    String string(String key, String fallback) {
        String v = given.getOrDefault(key, fallback);
        used.put(key, v);
        return v;
    }

    int integer(String key, int fallback) {
        return Integer.parseInt(string(key, Integer.toString(fallback)));
    }

    List<Integer> integers(String key, String fallback) {
        List<Integer> out = new ArrayList<>();
        for (String s : string(key, fallback).split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.trim()));
            }
        }
        return out;
    }

    /** HOST:PORT; an empty value or {@code none} means the endpoint is not used. */
    Endpoint endpoint(String key, String fallback) {
        String v = string(key, fallback);
        if (v.isEmpty() || v.equals("none")) {
            return null;
        }
        int colon = v.lastIndexOf(':');
        return new Endpoint(v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
    }

    /** Fails on a key no {@code string} call asked for: a misspelt key would otherwise silently use a default. */
    void checkAllUsed() {
        for (String k : given.keySet()) {
            if (!used.containsKey(k)) {
                throw new IllegalArgumentException("unknown argument " + k + "; known: " + used.keySet());
            }
        }
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        used.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    record Endpoint(String host, int port) {
    }
}
