package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tls block of a listener: paths relative to the config file, every file read and checked at load time, and each
 * problem reported as FILE:LINE: KEY so check-config points at it.
 */
class TlsBlockTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private void serverPem() throws Exception {
        TlsCertificates.valid("EC").writePem(dir.resolve("certs/server.pem"), dir.resolve("certs/server.key"));
    }

    private ConfigException rejected(String yaml, int line, String key, String fragment) throws Exception {
        Path file = write(yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").startsWith(file + ":" + line + ": " + key + ": ");
        assertThat(e.problem()).contains(fragment);
        return e;
    }

    @Test
    void aTlsBlockIsReadWithPathsRelativeToTheConfigFile() throws Exception {
        serverPem();
        Files.copy(dir.resolve("certs/server.pem"), dir.resolve("certs/ca.pem"));
        JunctionConfig c = ConfigLoader.load(write("""
                listeners:
                  mqtts:
                    port: 8883
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/server.key
                      ca_file: certs/ca.pem
                      client_auth: required
                      identity: subject_alternative_name
                      versions: [TLSv1.3]
                      ciphers: [TLS_AES_128_GCM_SHA256]
                """));
        ListenerConfig mqtts = c.listeners().mqtts();
        assertThat(mqtts.enabled()).as("a TLS listener with a tls block is on").isTrue();
        TlsConfig tls = mqtts.tls().orElseThrow();
        assertThat(tls.certFile()).isEqualTo(dir.resolve("certs/server.pem"));
        assertThat(tls.keyFile()).contains(dir.resolve("certs/server.key"));
        assertThat(tls.caFile()).contains(dir.resolve("certs/ca.pem"));
        assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRED);
        assertThat(tls.identity()).isEqualTo(TlsConfig.Identity.SUBJECT_ALTERNATIVE_NAME);
        assertThat(tls.versions()).containsExactly("TLSv1.3");
        assertThat(tls.ciphers()).containsExactly("TLS_AES_128_GCM_SHA256");
        assertThat(tls.load().chain()).hasSize(1);
    }

    @Test
    void tlsListenersAreOffByDefaultAndTlsVersionsDefaultTo12And13() throws Exception {
        JunctionConfig c = ConfigLoader.parse("", "test.yaml");
        assertThat(List.of(c.listeners().amqps(), c.listeners().mqtts(), c.listeners().mqttWss()))
                .allMatch(l -> !l.enabled() && l.tls().isEmpty());
        assertThat(c.listeners().amqps().port()).isEqualTo(5671);
        assertThat(c.listeners().mqtts().port()).isEqualTo(8883);
        assertThat(c.listeners().mqttWss().port()).isEqualTo(8084);
        assertThat(c.listeners().http().tls()).isEmpty();

        serverPem();
        TlsConfig tls = ConfigLoader.load(write("""
                listeners:
                  amqps:
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key }
                """)).listeners().amqps().tls().orElseThrow();
        assertThat(tls.versions()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
        assertThat(tls.identity()).isEqualTo(TlsConfig.Identity.NONE);
    }

    @Test
    void theFilesAreWatchedEveryFiveSecondsByDefaultAndZeroLeavesItToSighup() throws Exception {
        serverPem();
        JunctionConfig c = ConfigLoader.load(write("""
                listeners:
                  amqps:
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key }
                  mqtts:
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key, watch_interval_ms: 0 }
                """));
        assertThat(c.listeners().amqps().tls().orElseThrow().watchIntervalMs()).isEqualTo(5_000);
        assertThat(c.listeners().mqtts().tls().orElseThrow().watchIntervalMs()).isZero();
        rejected("""
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/server.key
                      watch_interval_ms: -1
                """, 6, "listeners.amqps.tls.watch_interval_ms", "");
    }

    @Test
    void anEnabledTlsListenerWithoutATlsBlockIsAnError() throws Exception {
        rejected("""
                listeners:
                  amqps:
                    enabled: true
                """, 3, "listeners.amqps.enabled", "needs a tls block");
    }

    @Test
    void httpTakesATlsBlockButAPlainProtocolListenerDoesNot() throws Exception {
        serverPem();
        TlsConfig https = ConfigLoader.load(write("""
                listeners:
                  http:
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key }
                """)).listeners().http().tls().orElseThrow();
        assertThat(https.certFile()).isEqualTo(dir.resolve("certs/server.pem"));
        rejected("""
                listeners:
                  amqp:
                    tls: { cert_file: x.pem }
                """, 3, "listeners.amqp.tls", "unknown key");
    }

    @Test
    void aMissingCertificateFileNamesTheKey() throws Exception {
        rejected("""
                listeners:
                  mqtts:
                    tls:
                      cert_file: certs/missing.pem
                      key_file: certs/missing.key
                """, 4, "listeners.mqtts.tls.cert_file", "file not found");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateIsAnError() throws Exception {
        serverPem();
        TlsCertificates.valid("EC").writePem(dir.resolve("certs/other.pem"), dir.resolve("certs/other.key"));
        rejected("""
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/other.key
                """, 5, "listeners.amqps.tls.key_file", "does not belong to the certificate");
    }

    @Test
    void aKeyOfAnotherAlgorithmIsAMismatchToo() throws Exception {
        serverPem();
        TlsCertificates.valid("RSA").writePem(dir.resolve("certs/rsa.pem"), dir.resolve("certs/rsa.key"));
        rejected("""
                listeners:
                  amqps:
                    tls: { cert_file: certs/server.pem, key_file: certs/rsa.key }
                """, 3, "listeners.amqps.tls.key_file", "does not belong");
    }

    @Test
    void aFileThatIsNoCertificateIsAnError() throws Exception {
        serverPem();
        rejected("""
                listeners:
                  mqtt_wss:
                    tls:
                      cert_file: certs/server.key
                      key_file: certs/server.key
                """, 4, "listeners.mqtt_wss.tls.cert_file", "no BEGIN CERTIFICATE block");
    }

    @Test
    void anExpiredServerCertificateIsAnError() throws Exception {
        TlsCertificates.selfSigned("EC", Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)))
                .writePem(dir.resolve("certs/old.pem"), dir.resolve("certs/old.key"));
        rejected("""
                listeners:
                  http:
                    tls:
                      cert_file: certs/old.pem
                      key_file: certs/old.key
                """, 4, "listeners.http.tls.cert_file", "expired");
    }

    @Test
    void aPemCertificateNeedsAKeyFile() throws Exception {
        serverPem();
        rejected("""
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                """, 4, "listeners.amqps.tls.cert_file", "key_file is required");
    }

    @Test
    void aPkcs1RsaKeyIsAccepted() throws Exception {
        TlsCertificates.Pair rsa = TlsCertificates.valid("RSA");
        rsa.writePem(dir.resolve("certs/rsa.pem"), dir.resolve("certs/unused.key"));
        rsa.writePkcs1Key(dir.resolve("certs/rsa.key"));
        TlsConfig tls = ConfigLoader.load(write("""
                listeners:
                  amqps:
                    tls: { cert_file: certs/rsa.pem, key_file: certs/rsa.key }
                """)).listeners().amqps().tls().orElseThrow();
        assertThat(tls.load().key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void aPkcs12KeystoreHoldsKeyAndCertificate() throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        TlsCertificates.valid("EC").writePkcs12(dir.resolve("certs/server.p12"), "s3cret");
        TlsConfig tls = ConfigLoader.load(write("""
                listeners:
                  mqtts:
                    tls: { cert_file: certs/server.p12, keystore_password: s3cret }
                """)).listeners().mqtts().tls().orElseThrow();
        assertThat(tls.keyFile()).isEmpty();
        assertThat(tls.load().chain()).hasSize(1);
        assertThat(tls.toString()).doesNotContain("s3cret");
    }

    @Test
    void aWrongKeystorePasswordNamesThatKey() throws Exception {
        Files.createDirectories(dir.resolve("certs"));
        TlsCertificates.valid("EC").writePkcs12(dir.resolve("certs/server.p12"), "s3cret");
        rejected("""
                listeners:
                  mqtts:
                    tls:
                      cert_file: certs/server.p12
                      keystore_password: wrong
                """, 5, "listeners.mqtts.tls.keystore_password", "does not open");
    }

    @Test
    void clientAuthNeedsACaFile() throws Exception {
        serverPem();
        rejected("""
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/server.key
                      client_auth: required
                """, 6, "listeners.amqps.tls.client_auth", "needs ca_file");
    }

    @Test
    void aCertificateIdentityNeedsClientAuth() throws Exception {
        serverPem();
        rejected("""
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/server.key
                      identity: common_name
                """, 6, "listeners.amqps.tls.identity", "client_auth must be optional or required");
    }

    @Test
    void badEnumValuesVersionsAndCiphersNameTheirKeys() throws Exception {
        serverPem();
        String base = """
                listeners:
                  amqps:
                    tls:
                      cert_file: certs/server.pem
                      key_file: certs/server.key
                """;
        rejected(base + "      client_auth: sometimes\n", 6, "listeners.amqps.tls.client_auth",
                "expected one of none, optional, required");
        rejected(base + "      identity: email\n", 6, "listeners.amqps.tls.identity",
                "expected one of none, common_name, subject_alternative_name");
        rejected(base + "      versions: [TLSv1.3, TLSv1.1]\n", 6, "listeners.amqps.tls.versions[1]",
                "unsupported TLS version 'TLSv1.1'");
        rejected(base + "      versions: []\n", 6, "listeners.amqps.tls.versions", "at least one TLS version");
        rejected(base + "      ciphers: [TLS_AES_128_GCM_SHA256, NOT_A_CIPHER]\n", 6,
                "listeners.amqps.tls.ciphers[1]", "unknown cipher suite 'NOT_A_CIPHER'");
        rejected(base + "      ca_file: certs/nowhere.pem\n      client_auth: optional\n", 6,
                "listeners.amqps.tls.ca_file", "file not found");
        rejected(base + "      pem_file: x\n", 6, "listeners.amqps.tls.pem_file", "unknown key");
    }

    @Test
    void anEncryptedPemKeyIsRefusedWithAHint() throws Exception {
        serverPem();
        Files.writeString(dir.resolve("certs/enc.key"), TlsCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}));
        rejected("""
                listeners:
                  amqps:
                    tls: { cert_file: certs/server.pem, key_file: certs/enc.key }
                """, 3, "listeners.amqps.tls.key_file", "encrypted keys are not supported");
    }

    @Test
    void twoTlsListenersOnOnePortClash() throws Exception {
        serverPem();
        rejected("""
                listeners:
                  amqps:
                    port: 9999
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key }
                  mqtts:
                    port: 9999
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key }
                """, 6, "listeners.mqtts.port", "already used by listeners.amqps");
    }
}
