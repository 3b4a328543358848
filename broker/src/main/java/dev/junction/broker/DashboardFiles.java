package dev.junction.broker;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web dashboard's files: a fixed list, read from the jar once when the listener is made and served from memory,
 * so no request path ever reaches the class loader or the file system, and the event loop never reads a resource.
 * The page is served at {@code /}, everything it loads under {@link #ASSET_PREFIX}, a prefix that no API, metrics or
 * health path can start with. The files need no credentials: they hold no data, and every call the page makes to
 * {@code /api} carries the user's own HTTP basic credentials.
 */
final class DashboardFiles {
    /** Where the page's scripts, style sheet and icon live. */
    static final String ASSET_PREFIX = "/dashboard/";

    /**
     * The page runs only its own scripts and styles and talks only to this origin: no inline script or style, no
     * framing (clickjacking), no form posting elsewhere. A script injected through data would not run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String INDEX = "index.html";
    private static final List<String> FILES = List.of(INDEX, "dashboard.css", "icon.svg", "app.js", "api.js",
            "dom.js", "chart.js", "overview.js", "queues.js", "exchanges.js", "connections.js", "mqtt.js",
            "cluster.js", "access.js", "policies.js", "alarms.js");

    /** One file as it is served: its bytes, its media type and a validator for conditional requests. */
    record StaticFile(byte[] body, String contentType, String etag) {
    }

    private final Map<String, StaticFile> byPath;

    private DashboardFiles(Map<String, StaticFile> byPath) {
        this.byPath = byPath;
    }

    /** Reads every file of the list; a missing one is a packaging error, reported at start rather than at a click. */
    static DashboardFiles load() {
        Map<String, StaticFile> byPath = new LinkedHashMap<>();
        for (String name : FILES) {
            byte[] body = read(name);
            StaticFile file = new StaticFile(body, contentType(name), etag(body));
            byPath.put(ASSET_PREFIX + name, file);
            if (name.equals(INDEX)) {
                byPath.put("/", file);
            }
        }
        return new DashboardFiles(Map.copyOf(byPath));
    }

    /** The file served at {@code path} (the decoded path, without query), if the dashboard has one there. */
    Optional<StaticFile> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /**
     * The answer for one GET or HEAD of {@code file}: 304 when the client's copy is current, else the file (a HEAD gets
     * the headers and length alone). {@code no-cache} makes browsers revalidate, so a new jar's page is used at once.
     */
    static FullHttpResponse response(StaticFile file, boolean head, String ifNoneMatch) {
        boolean current = file.etag().equals(ifNoneMatch);
        HttpResponseStatus status = current ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK;
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head || current ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(file.body()));
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(HttpHeaderNames.ETAG, file.etag());
        // A HEAD and a 304 carry no content but the length a 200 would have (RFC 9110 8.6).
        HttpUtil.setContentLength(res, file.body().length);
        return res;
    }

    private static byte[] read(String name) {
        try (InputStream in = DashboardFiles.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            // Module scripts are refused by browsers unless served with a JavaScript media type.
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalStateException("no media type for " + name);
        };
    }

    /** A strong validator (RFC 9110 8.8.3): the first 16 bytes of the content's SHA-256, quoted. */
    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
