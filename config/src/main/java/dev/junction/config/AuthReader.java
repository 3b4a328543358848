package dev.junction.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the {@code auth:} section. Rules: each backend at most once; {@code http} and {@code jwt} need their
 * section, and a section for a backend that is not listed is an error (it would silently do nothing); files are
 * relative to the config file's directory and must exist.
 */
final class AuthReader {
    static final List<String> AUTH_KEYS = List.of("backends", "cache_ttl_seconds", "cache_max_entries", "http", "jwt");
    static final List<String> HTTP_KEYS = List.of("user_path", "vhost_path", "resource_path", "topic_path",
            "method", "timeout_ms", "rights_from");
    static final List<String> JWT_KEYS = List.of("resource_server_id", "audience", "issuer", "hmac_secret",
            "public_key_file", "jwks_file", "jwks_url", "jwks_refresh_seconds", "user_claim", "clock_skew_seconds");

    private AuthReader() {
    }

    static AuthConfig read(YamlMapping top, List<UserConfig> users) throws ConfigException {
        YamlMapping auth = top.section("auth", AUTH_KEYS);
        List<AuthConfig.Backend> backends = new ArrayList<>();
        Optional<YamlValue> list = auth.get("backends");
        if (list.isEmpty()) {
            backends.add(AuthConfig.Backend.INTERNAL);
        } else {
            List<YamlValue> items = list.get().asList();
            if (items.isEmpty()) {
                throw list.get().error("at least one backend is required (internal, http, jwt)");
            }
            for (YamlValue item : items) {
                AuthConfig.Backend b = AuthConfig.Backend.valueOf(
                        item.asChoice(List.of("internal", "http", "jwt")).toUpperCase(Locale.ROOT));
                if (backends.contains(b)) {
                    throw item.error("backend '" + b.name().toLowerCase(Locale.ROOT) + "' is listed twice");
                }
                backends.add(b);
            }
        }
        Optional<AuthConfig.Http> http = Optional.empty();
        if (auth.has("http") || backends.contains(AuthConfig.Backend.HTTP)) {
            if (!auth.has("http")) {
                throw auth.errorAtKey("backends", "lists 'http' but there is no auth.http section (user_path ...)");
            }
            if (!backends.contains(AuthConfig.Backend.HTTP)) {
                throw auth.errorAtKey("http", "is configured but 'http' is not listed in auth.backends");
            }
            http = Optional.of(http(auth.section("http", HTTP_KEYS), users));
        }
        Optional<AuthConfig.Jwt> jwt = Optional.empty();
        if (auth.has("jwt") || backends.contains(AuthConfig.Backend.JWT)) {
            if (!auth.has("jwt")) {
                throw auth.errorAtKey("backends", "lists 'jwt' but there is no auth.jwt section (resource_server_id ...)");
            }
            if (!backends.contains(AuthConfig.Backend.JWT)) {
                throw auth.errorAtKey("jwt", "is configured but 'jwt' is not listed in auth.backends");
            }
            jwt = Optional.of(jwt(auth.section("jwt", JWT_KEYS)));
        }
        return new AuthConfig(backends, Duration.ofSeconds(auth.integer("cache_ttl_seconds", 60, 0, 86_400)),
                auth.integer("cache_max_entries", 10_000, 0, 10_000_000), http, jwt);
    }

    private static AuthConfig.Http http(YamlMapping s, List<UserConfig> users) throws ConfigException {
        Optional<String> rightsFrom = s.optionalString("rights_from");
        if (rightsFrom.isPresent() && users.stream().noneMatch(u -> u.name().equals(rightsFrom.get()))) {
            throw s.error("rights_from", "unknown user '" + rightsFrom.get() + "'");
        }
        return new AuthConfig.Http(uri(s, "user_path", true).orElseThrow(), uri(s, "vhost_path", false),
                uri(s, "resource_path", false), uri(s, "topic_path", false),
                AuthConfig.HttpMethod.valueOf(s.choice("method", "get", List.of("get", "post")).toUpperCase(Locale.ROOT)),
                Duration.ofMillis(s.integer("timeout_ms", 5000, 1, 600_000)), rightsFrom);
    }

    private static Optional<URI> uri(YamlMapping s, String key, boolean required) throws ConfigException {
        Optional<String> text = s.optionalString(key);
        if (text.isEmpty()) {
            if (required) {
                throw new ConfigException(s.source(), s.line(), s.pathOf(key), "required (the URL asked for each login)");
            }
            return Optional.empty();
        }
        try {
            URI uri = new URI(text.get());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw s.error(key, "'" + text.get() + "' is not an http:// or https:// URL");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw s.error(key, "'" + text.get() + "' is not a URL: " + e.getReason());
        }
    }

    private static AuthConfig.Jwt jwt(YamlMapping s) throws ConfigException {
        String resourceServerId = s.optionalString("resource_server_id").orElseThrow(() -> new ConfigException(
                s.source(), s.line(), s.pathOf("resource_server_id"), "required (the prefix of the token's scopes)"));
        Optional<String> secret = s.optionalString("hmac_secret");
        Optional<Path> keyFile = file(s, "public_key_file");
        if (keyFile.isPresent()) {
            checkPublicKey(s, keyFile.get());
        }
        Optional<Path> jwks = file(s, "jwks_file");
        if (jwks.isPresent()) {
            checkJwks(s, jwks.get());
        }
        Optional<URI> jwksUrl = uri(s, "jwks_url", false);
        int given = (secret.isPresent() ? 1 : 0) + (keyFile.isPresent() ? 1 : 0) + (jwks.isPresent() ? 1 : 0)
                + (jwksUrl.isPresent() ? 1 : 0);
        if (given != 1) {
            throw new ConfigException(s.source(), s.line(), s.path(),
                    "give exactly one of hmac_secret, public_key_file, jwks_file and jwks_url (got " + given + ")");
        }
        if (secret.isPresent() && secret.get().length() < 32) {
            // HS256 needs a 256-bit key (RFC 7518 section 3.2).
            throw s.error("hmac_secret", "must be at least 32 characters (256 bits, RFC 7518 section 3.2)");
        }
        return new AuthConfig.Jwt(resourceServerId, s.optionalString("audience"), s.optionalString("issuer"), secret,
                keyFile, jwks, jwksUrl, Duration.ofSeconds(s.integer("jwks_refresh_seconds", 300, 10, 86_400)),
                s.nonEmptyString("user_claim", "sub"),
                Duration.ofSeconds(s.integer("clock_skew_seconds", 0, 0, 3600)));
    }

    /** Caught here, naming the key, rather than when the broker starts: an RSA or EC key in a PUBLIC KEY block. */
    private static void checkPublicKey(YamlMapping s, Path path) throws ConfigException {
        String problem = null;
        try {
            String pem = Files.readString(path);
            int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
            int end = pem.indexOf("-----END PUBLIC KEY-----");
            if (begin < 0 || end < begin) {
                problem = "no '-----BEGIN PUBLIC KEY-----' block";
            } else {
                byte[] der = java.util.Base64.getMimeDecoder().decode(
                        pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
                java.security.spec.X509EncodedKeySpec spec = new java.security.spec.X509EncodedKeySpec(der);
                try {
                    java.security.KeyFactory.getInstance("RSA").generatePublic(spec);
                } catch (java.security.spec.InvalidKeySpecException notRsa) {
                    java.security.KeyFactory.getInstance("EC").generatePublic(spec);
                }
            }
        } catch (java.io.IOException | IllegalArgumentException | java.security.GeneralSecurityException e) {
            problem = "not an RSA or EC public key in PEM (" + e.getClass().getSimpleName() + ")";
        }
        if (problem != null) {
            throw s.error("public_key_file", "'" + path + "': " + problem);
        }
    }

    /** A JWKS document (RFC 7517 section 5) is JSON, which YAML reads: it must hold a non-empty "keys" list. */
    private static void checkJwks(YamlMapping s, Path path) throws ConfigException {
        Object doc;
        try {
            doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions())).load(Files.readString(path));
        } catch (java.io.IOException | RuntimeException e) {
            throw s.error("jwks_file", "'" + path + "' is not a JWKS document (" + e.getClass().getSimpleName() + ")");
        }
        if (!(doc instanceof java.util.Map<?, ?> map) || !(map.get("keys") instanceof List<?> keys) || keys.isEmpty()) {
            throw s.error("jwks_file", "'" + path + "' is not a JWKS document (a JSON object with a non-empty \"keys\" list)");
        }
    }

    /** A readable file named by {@code key}, relative to the config file's directory; empty when the key is absent. */
    static Optional<Path> file(YamlMapping s, String key) throws ConfigException {
        Optional<String> text = s.optionalString(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Path path;
        try {
            path = Path.of(text.get());
            if (!path.isAbsolute()) {
                Path parent = Path.of(s.source()).toAbsolutePath().getParent();
                path = parent == null ? path : parent.resolve(path);
            }
        } catch (InvalidPathException e) {
            throw s.error(key, "'" + text.get() + "' is not a valid path: " + e.getReason());
        }
        if (!Files.isReadable(path)) {
            throw s.error(key, "cannot read '" + path + "'");
        }
        return Optional.of(path);
    }
}
