package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's files as the http listener serves them, without a browser: the page at {@code /} and every file it
 * loads, each with its media type, a Content-Security-Policy that allows only the page's own scripts and styles,
 * and {@code nosniff}; no credentials needed for them while the API still needs them; nothing outside the fixed
 * list is served. The scripts never turn data into markup.
 */
class DashboardHttpTest {
    private static final Pattern LINKED = Pattern.compile("(?:src|href)=\"(/dashboard/[^\"]+)\"");
    private static final Pattern IMPORTED = Pattern.compile("from '\\./([a-z-]+\\.js)'");
    /** The DOM and JavaScript calls that parse a string as markup or code. */
    private static final Pattern UNSAFE =
            Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function|srcdoc");

    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> fetch(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.httpPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageAndEveryFileItLoadsAreServedWithoutCredentialsAndWithTheirSecurityHeaders() throws Exception {
        HttpResponse<String> page = fetch("GET", "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertSecurityHeaders(page);

        Set<String> files = new LinkedHashSet<>();
        Matcher linked = LINKED.matcher(page.body());
        while (linked.find()) {
            files.add(linked.group(1));
        }
        assertThat(files).contains("/dashboard/app.js", "/dashboard/dashboard.css", "/dashboard/icon.svg");
        // Every module the scripts import, transitively: the listener's fixed list must hold them all.
        for (int i = 0; i < 3; i++) {
            for (String file : Set.copyOf(files)) {
                if (file.endsWith(".js")) {
                    Matcher imported = IMPORTED.matcher(fetch("GET", file).body());
                    while (imported.find()) {
                        files.add("/dashboard/" + imported.group(1));
                    }
                }
            }
        }
        assertThat(files).contains("/dashboard/queues.js", "/dashboard/chart.js", "/dashboard/dom.js");
        for (String file : files) {
            HttpResponse<String> r = fetch("GET", file);
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            assertSecurityHeaders(r);
            String type = r.headers().firstValue("Content-Type").orElseThrow();
            if (file.endsWith(".js")) {
                assertThat(type).isEqualTo("text/javascript; charset=utf-8");
                assertThat(UNSAFE.matcher(r.body()).find()).as("%s parses data as markup or code", file).isFalse();
            } else if (file.endsWith(".css")) {
                assertThat(type).isEqualTo("text/css; charset=utf-8");
            } else {
                assertThat(type).isEqualTo("image/svg+xml");
            }
        }
        // The files are public; the data is not.
        assertThat(fetch("GET", "/api/overview").statusCode()).isEqualTo(401);
    }

    private static void assertSecurityHeaders(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                        "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void headAndConditionalGetsAnswerWithoutContent() throws Exception {
        HttpResponse<String> full = fetch("GET", "/dashboard/app.js");
        String etag = full.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> head = fetch("HEAD", "/dashboard/app.js");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length").orElseThrow())
                .isEqualTo(full.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        HttpResponse<String> again = fetch("GET", "/dashboard/app.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void onlyTheDashboardsOwnFilesAreServed() throws Exception {
        for (String path : new String[] {"/dashboard/", "/dashboard/missing.js", "/dashboard/../pom.xml",
                "/dashboard/%2e%2e/logback.xml", "/dev/junction/broker/dashboard/app.js", "/index.html",
                "/dashboard/dashboard/app.js"}) {
            assertThat(fetch("GET", path).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(fetch("POST", "/").statusCode()).isEqualTo(405);
        // The listener's other paths are where they were.
        assertThat(fetch("GET", "/health").statusCode()).isEqualTo(200);
        assertThat(fetch("GET", "/metrics").statusCode()).isEqualTo(200);
    }
}
