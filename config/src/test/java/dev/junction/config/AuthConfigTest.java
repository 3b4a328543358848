package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code auth:} section: backends in order, their sections, and errors naming file, line and key. */
class AuthConfigTest {
    @Test
    void withoutAnAuthSectionOnlyTheInternalUsersAreAsked() throws ConfigException {
        AuthConfig auth = parse("").auth();
        assertThat(auth.backends()).containsExactly(AuthConfig.Backend.INTERNAL);
        assertThat(auth.cacheTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void backendsAreKeptInTheirOrderWithTheirSections() throws ConfigException {
        AuthConfig auth = parse("""
                auth:
                  backends: [http, internal, jwt]
                  cache_ttl_seconds: 5
                  http: { user_path: "http://127.0.0.1:8000/auth/user", method: post }
                  jwt: { resource_server_id: junction, hmac_secret: "0123456789abcdef0123456789abcdef" }
                """).auth();
        assertThat(auth.backends()).isEqualTo(List.of(AuthConfig.Backend.HTTP, AuthConfig.Backend.INTERNAL,
                AuthConfig.Backend.JWT));
        assertThat(auth.http().orElseThrow().method()).isEqualTo(AuthConfig.HttpMethod.POST);
        assertThat(auth.jwt().orElseThrow().audience()).isEmpty();
        assertThat(auth.jwt().orElseThrow().toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void anUnknownBackendIsRejectedWithItsLine() {
        assertRejected("""
                auth:
                  backends: [internal, ldap]
                """, 2, "auth.backends[1]", "expected one of internal, http, jwt");
    }

    @Test
    void aListedBackendWithoutItsSectionAndASectionNotListedAreRejected() {
        assertRejected("""
                auth:
                  backends: [internal, http]
                """, 2, "auth.backends", "no auth.http section");
        assertRejected("""
                auth:
                  backends: [internal]
                  jwt: { resource_server_id: junction, hmac_secret: "0123456789abcdef0123456789abcdef" }
                """, 3, "auth.jwt", "not listed in auth.backends");
    }

    @Test
    void resourcePathAndJwksUrlAreRead() throws ConfigException {
        AuthConfig auth = parse("""
                auth:
                  backends: [http, jwt]
                  http:
                    user_path: http://127.0.0.1/auth/user
                    resource_path: http://127.0.0.1/auth/resource
                  jwt:
                    resource_server_id: junction
                    jwks_url: https://idp.example/jwks
                    jwks_refresh_seconds: 60
                """).auth();
        assertThat(auth.http().orElseThrow().resourcePath()).hasValue(java.net.URI.create(
                "http://127.0.0.1/auth/resource"));
        assertThat(auth.jwt().orElseThrow().jwksUrl()).hasValue(java.net.URI.create("https://idp.example/jwks"));
        assertThat(auth.jwt().orElseThrow().jwksRefresh()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void badUrlsTwoKeySourcesAndShortSecretsAreRejected() {
        assertRejected("""
                auth:
                  backends: [http]
                  http:
                    user_path: http://127.0.0.1/auth/user
                    resource_path: ftp://127.0.0.1/auth/resource
                """, 5, "auth.http.resource_path", "not an http:// or https:// URL");
        assertRejected("""
                auth:
                  backends: [jwt]
                  jwt:
                    resource_server_id: junction
                    hmac_secret: "0123456789abcdef0123456789abcdef"
                    jwks_url: https://idp.example/jwks
                """, 4, "auth.jwt", "exactly one of hmac_secret, public_key_file, jwks_file and jwks_url");
        assertRejected("""
                auth:
                  backends: [http]
                  http: { user_path: "ftp://x/auth" }
                """, 3, "auth.http.user_path", "not an http:// or https:// URL");
        assertRejected("""
                auth:
                  backends: [jwt]
                  jwt:
                    resource_server_id: junction
                    hmac_secret: short
                """, 5, "auth.jwt.hmac_secret", "at least 32 characters");
    }

    @Test
    void aPublicKeyFileThatIsNoKeyIsRejectedWithItsKey() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("junction-key", ".pem");
        try {
            java.nio.file.Files.writeString(file, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
            assertRejected("""
                    auth:
                      backends: [jwt]
                      jwt:
                        resource_server_id: junction
                        public_key_file: "%s"
                    """.formatted(file), 5, "auth.jwt.public_key_file", "not an RSA or EC public key");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void aJwksFileWithoutKeysIsRejectedWithItsKey() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("junction-keys", ".jwks");
        try {
            java.nio.file.Files.writeString(file, "{\"keys\": []}");
            assertRejected("""
                    auth:
                      backends: [jwt]
                      jwt:
                        resource_server_id: junction
                        jwks_file: "%s"
                    """.formatted(file), 5, "auth.jwt.jwks_file", "not a JWKS document");
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
