package dev.junction.broker.ctl;

import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.ListenerConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Where {@code ctl} sends its requests and as whom. In order of precedence: {@code --url} (which may carry
 * {@code user:password@}), {@code --host}/{@code --port}, the http listener of the config file ({@code --config},
 * else the default file when it exists), and last {@code http://127.0.0.1:15672}. The user defaults to RabbitMQ's
 * guest/guest, or {@code JUNCTION_CTL_USER}/{@code JUNCTION_CTL_PASSWORD} from the environment, which keeps the
 * password out of the shell history and the process list.
 *
 * @param base     the broker's root URL, without a trailing slash
 * @param user     the management user
 * @param password its password
 */
record Endpoint(URI base, String user, String password) {
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");
    private static final int DEFAULT_PORT = 15672;

    static Endpoint resolve(CtlOptions options, Path defaultConfig) throws CtlException {
        String user = options.value("user").orElse(null);
        String password = options.value("password").orElse(null);
        URI base;
        if (options.value("url").isPresent()) {
            URI url = parseUrl(options.value("url").get());
            if (url.getRawUserInfo() != null) {
                String[] parts = url.getRawUserInfo().split(":", 2);
                user = user != null ? user : decode(parts[0]);
                password = password != null ? password : parts.length > 1 ? decode(parts[1]) : null;
            }
            base = URI.create(url.getScheme() + "://" + url.getRawAuthority().replaceFirst("^.*@", "")
                    + url.getRawPath().replaceFirst("/+$", ""));
        } else {
            base = fromListener(options, defaultConfig);
        }
        user = user != null ? user : envOr("JUNCTION_CTL_USER", "guest");
        password = password != null ? password : envOr("JUNCTION_CTL_PASSWORD", "guest");
        return new Endpoint(base, user, password);
    }

    private static URI fromListener(CtlOptions options, Path defaultConfig) throws CtlException {
        String scheme = "http";
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        boolean hostAndPortGiven = options.value("host").isPresent() && options.value("port").isPresent();
        Path config = options.value("config").map(Path::of).orElse(defaultConfig);
        boolean explicit = options.value("config").isPresent();
        if (!hostAndPortGiven && config != null && (explicit || Files.isRegularFile(config))) {
            ListenerConfig http;
            try {
                http = ConfigLoader.load(config).listeners().http();
            } catch (ConfigException e) {
                throw CtlException.usage("cannot read the http listener from " + e.getMessage()
                        + " (give --host and --port, or --url)");
            }
            if (!http.enabled()) {
                throw CtlException.usage("listeners.http is disabled in " + config + "; ctl needs the management"
                        + " API (enable it, or give --url)");
            }
            scheme = http.tls().isPresent() ? "https" : "http";
            host = WILDCARDS.contains(http.bind()) ? "127.0.0.1" : http.bind();
            port = http.port();
            if (port == 0 && options.value("port").isEmpty()) {
                throw CtlException.usage("listeners.http.port is 0 in " + config + " (a free port is picked at"
                        + " start and logged); give --port");
            }
        }
        host = options.value("host").orElse(host);
        port = options.number("port", 1, 65535).orElse(port);
        String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return parseUrl(scheme + "://" + literal + ":" + port);
    }

    private static URI parseUrl(String text) throws CtlException {
        try {
            URI url = new URI(text);
            if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                    || url.getRawAuthority() == null) {
                throw CtlException.usage("--url must be http://HOST:PORT or https://HOST:PORT, got '" + text + "'");
            }
            return url;
        } catch (URISyntaxException e) {
            throw CtlException.usage("not a URL: '" + text + "' (" + e.getReason() + ")");
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
