package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMQP 1.0's keys: its own listener {@code listeners.amqp10} (off unless enabled, plain or TLS, no clash with the
 * other listeners) and the {@code amqp10} section's anonymous login, with MQTT's rules.
 */
class Amqp10ConfigTest {
    @TempDir
    Path dir;

    @Test
    void theOwnListenerIsOffByDefaultAndAnonymousIsRefused() throws ConfigException {
        JunctionConfig c = parse("");
        assertThat(c.listeners().amqp10().enabled()).isFalse();
        assertThat(c.listeners().byKey("amqp10")).isSameAs(c.listeners().amqp10());
        assertThat(c.amqp10()).isEqualTo(Amqp10Config.DEFAULT);
        assertThat(c.amqp10().anonymousLogin()).isEmpty();
    }

    @Test
    void theOwnListenerIsOnWhenEnabled() throws ConfigException {
        ListenerConfig l = parse("""
                listeners:
                  amqp10: { enabled: true, bind: 127.0.0.1, port: 5680 }
                """).listeners().amqp10();
        assertThat(l).isEqualTo(new ListenerConfig(true, "127.0.0.1", 5680));
        // a section without enabled stays off: amqp and amqps serve AMQP 1.0 already
        assertThat(parse("listeners: { amqp10: { port: 5680 } }").listeners().amqp10().enabled()).isFalse();
    }

    @Test
    void listenerErrorsNameTheKeyAndLine() {
        assertRejected("""
                listeners:
                  amqp10:
                    enabled: true
                    port: 5672
                """, 4, "listeners.amqp10.port", "port 5672 on 0.0.0.0 is already used by listeners.amqp");
        assertRejected("""
                listeners:
                  amqp10:
                    prot: 5680
                """, 3, "listeners.amqp10.prot", "");
        assertRejected("listeners:\n  amqp10:\n    enabled: yes please\n", 3, "listeners.amqp10.enabled", "");
    }

    @Test
    void aTlsBlockMakesItAnAmqpsListener() throws Exception {
        TlsCertificates.valid("EC").writePem(dir.resolve("certs/server.pem"), dir.resolve("certs/server.key"));
        Files.copy(dir.resolve("certs/server.pem"), dir.resolve("certs/ca.pem"));
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, """
                listeners:
                  amqp10:
                    enabled: true
                    port: 0
                    tls: { cert_file: certs/server.pem, key_file: certs/server.key, ca_file: certs/ca.pem,
                           client_auth: optional, identity: common_name }
                """);
        ListenerConfig l = ConfigLoader.load(file).listeners().amqp10();
        assertThat(l.enabled()).isTrue();
        assertThat(l.tls().orElseThrow().identity()).isEqualTo(TlsConfig.Identity.COMMON_NAME);

        Files.writeString(file, """
                listeners:
                  amqp10:
                    enabled: true
                    tls: { cert_file: certs/missing.pem, key_file: certs/server.key }
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        assertThat(e.getMessage()).startsWith(file + ":4: listeners.amqp10.tls.cert_file: ");
    }

    @Test
    void anonymousFollowsMqttsRules() throws ConfigException {
        assertRejected("""
                amqp10:
                  allow_anonymous: true
                """, 2, "amqp10.anonymous_user", "required when allow_anonymous is true");
        assertRejected("""
                amqp10:
                  allow_anonymous: true
                  anonymous_user: nobody
                """, 3, "amqp10.anonymous_user", "unknown user 'nobody' (users: 'guest')");
        assertRejected("amqp10:\n  anonymous: true\n", 2, "amqp10.anonymous", "");
        Amqp10Config c = parse("amqp10: { allow_anonymous: true, anonymous_user: guest }").amqp10();
        assertThat(c.anonymousLogin()).contains("guest");
        // a user named without allow_anonymous offers nothing, as for MQTT
        assertThat(parse("amqp10: { anonymous_user: guest }").amqp10().anonymousLogin()).isEmpty();
    }
}
