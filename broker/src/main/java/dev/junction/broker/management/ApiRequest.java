package dev.junction.broker.management;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One management request, copied off the Netty buffer so it can be served on another thread. Path segments are
 * percent-decoded one by one, so {@code %2F} stays inside its segment (the default vhost "/" is sent as %2F).
 */
record ApiRequest(String method, List<String> segments, Map<String, String> query, String authorization,
                  byte[] body, InetAddress peer, String reason) {

    /** Splits {@code /api/queues/%2F/q?columns=name} into ["queues", "/", "q"] and the query. */
    static ApiRequest of(String method, String uri, String authorization, byte[] body, InetAddress peer) {
        return of(method, uri, authorization, body, peer, null);
    }

    /** As above, with the {@code X-Reason} header RabbitMQ reads when closing a connection (null when absent). */
    static ApiRequest of(String method, String uri, String authorization, byte[] body, InetAddress peer,
                         String reason) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : pair.substring(eq + 1);
                query.put(decode(k.replace('+', ' ')), decode(v.replace('+', ' ')));
            }
        }
        List<String> segments = new ArrayList<>();
        String[] parts = rawPath.split("/", -1);
        // parts[0] is "" before the leading slash and parts[1] is "api"; a trailing slash adds no segment.
        for (int i = 2; i < parts.length; i++) {
            if (i == parts.length - 1 && parts[i].isEmpty()) {
                break;
            }
            segments.add(decode(parts[i]));
        }
        return new ApiRequest(method, List.copyOf(segments), query, authorization, body, peer, reason);
    }

    /** Percent-decoding as RFC 3986 has it: '+' stays '+' in a path; bad escapes are a 400. */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw ApiError.badRequest("bad percent-encoding in '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiError.badRequest("bad percent-encoding in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                int cp = s.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    int size() {
        return segments.size();
    }

    String segment(int i) {
        return segments.get(i);
    }

    boolean is(String m) {
        return method.equals(m);
    }
}
