package dev.junction.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where logins are checked ({@code auth:}): the backends, tried in order until one accepts, and how long external
 * decisions are cached. {@code http} and {@code jwt} are empty unless configured (and then listed in
 * {@code backends}).
 */
public record AuthConfig(List<Backend> backends, Duration cacheTtl, int cacheMaxEntries, Optional<Http> http,
        Optional<Jwt> jwt) {

    /** The kinds of backend, as written in {@code auth.backends}. */
    public enum Backend { INTERNAL, HTTP, JWT }

    /** How an HTTP auth service is asked (RabbitMQ's rabbitmq_auth_backend_http contract). */
    public enum HttpMethod { GET, POST }

    /**
     * {@code auth.http}: RabbitMQ's user_path, vhost_path, resource_path (configure/write/read on exchanges and
     * queues, asked per operation) and topic_path (routing keys on topic exchanges). Without a resource_path the
     * rights on exchanges and queues are those of the internal user {@code rightsFrom} (none when empty); its topic
     * permissions and MQTT ACL apply in either case.
     */
    public record Http(URI userPath, Optional<URI> vhostPath, Optional<URI> resourcePath, Optional<URI> topicPath,
            HttpMethod method, Duration timeout, Optional<String> rightsFrom) {
        public Http {
            Objects.requireNonNull(userPath, "userPath");
            Objects.requireNonNull(vhostPath, "vhostPath");
            Objects.requireNonNull(resourcePath, "resourcePath");
            Objects.requireNonNull(topicPath, "topicPath");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(rightsFrom, "rightsFrom");
        }
    }

    /**
     * {@code auth.jwt}: access tokens presented as the password. Exactly one of {@code hmacSecret},
     * {@code publicKeyFile} (PEM, RSA or EC), {@code jwksFile} and {@code jwksUrl} is present; a JWKS fetched from
     * {@code jwksUrl} is fetched again every {@code jwksRefresh}.
     */
    public record Jwt(String resourceServerId, Optional<String> audience, Optional<String> issuer,
            Optional<String> hmacSecret, Optional<Path> publicKeyFile, Optional<Path> jwksFile, Optional<URI> jwksUrl,
            Duration jwksRefresh, String userClaim, Duration clockSkew) {
        public Jwt {
            Objects.requireNonNull(resourceServerId, "resourceServerId");
            Objects.requireNonNull(jwksUrl, "jwksUrl");
            Objects.requireNonNull(jwksRefresh, "jwksRefresh");
        }

        /** Without a JWKS URL, as before it existed. */
        public Jwt(String resourceServerId, Optional<String> audience, Optional<String> issuer,
                Optional<String> hmacSecret, Optional<Path> publicKeyFile, Optional<Path> jwksFile, String userClaim,
                Duration clockSkew) {
            this(resourceServerId, audience, issuer, hmacSecret, publicKeyFile, jwksFile, Optional.empty(),
                    Duration.ofMinutes(5), userClaim, clockSkew);
        }

        // Never print the secret.
        @Override
        public String toString() {
            return "Jwt[resourceServerId=" + resourceServerId + ", audience=" + audience + ", issuer=" + issuer
                    + ", hmacSecret=" + (hmacSecret.isPresent() ? "<set>" : "<none>") + ", publicKeyFile="
                    + publicKeyFile + ", jwksFile=" + jwksFile + ", jwksUrl=" + jwksUrl + ", userClaim=" + userClaim + "]";
        }
    }

    /** Only the configured users: what Junction did before backends existed. */
    public static AuthConfig internalOnly() {
        return new AuthConfig(List.of(Backend.INTERNAL), Duration.ofSeconds(60), 10_000, Optional.empty(),
                Optional.empty());
    }

    public AuthConfig {
        backends = List.copyOf(backends);
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(jwt, "jwt");
    }
}
