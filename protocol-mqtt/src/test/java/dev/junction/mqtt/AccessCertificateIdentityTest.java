package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * CONNECT authentication with a verified client certificate identity (Mosquitto's use_identity_as_username), and the
 * loopback-only rule against it. A non-loopback client cannot be made in a single-machine test, so the rule is checked
 * here with a documentation address (RFC 5737) standing for a remote client.
 */
class AccessCertificateIdentityTest {
    private final Access access;

    AccessCertificateIdentityTest() throws Exception {
        JunctionConfig config = ConfigLoader.parse("""
                users:
                  - name: guest
                    password: guest
                    loopback_only: true
                    permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
                  - name: alice
                    password: alice-pw
                    permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
                """, "test.yaml");
        access = new Access(new MqttSettings(config.mqtt(), config.users(), 1024));
    }

    private static final InetAddress REMOTE = remote();
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private static InetAddress remote() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 10});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noPasswordOnACertificateConnectionLogsInAsTheCertificateIdentity() {
        assertThat(access.authenticate(null, null, REMOTE, "alice").user().name()).isEqualTo("alice");
        assertThat(access.authenticate("alice", null, REMOTE, "alice").user().name()).isEqualTo("alice");
    }

    @Test
    void aUserNameOtherThanTheCertificateIdentityIsBadCredentials() {
        assertThat(access.authenticate("guest", null, LOCAL, "alice").refusal())
                .isEqualTo(Access.Refusal.BAD_CREDENTIALS);
    }

    @Test
    void withoutACertificateIdentityNoPasswordIsStillRefused() {
        assertThat(access.authenticate("alice", null, REMOTE, null).refusal()).isEqualTo(Access.Refusal.BAD_CREDENTIALS);
    }

    @Test
    void aPasswordIsCheckedAsUsualEvenWithACertificate() {
        assertThat(access.authenticate("alice", "wrong".getBytes(StandardCharsets.UTF_8), LOCAL, "alice").refusal())
                .isEqualTo(Access.Refusal.BAD_CREDENTIALS);
    }

    @Test
    void aLoopbackOnlyUserIsNotReachableThroughARemoteCertificate() {
        assertThat(access.authenticate(null, null, REMOTE, "guest").refusal()).isEqualTo(Access.Refusal.NOT_AUTHORIZED);
        assertThat(access.authenticate(null, null, LOCAL, "guest").user()).as("same certificate, from this machine")
                .isNotNull();
    }

    @Test
    void aCertificateForAnUnknownUserIsNotAuthorized() {
        assertThat(access.authenticate(null, null, LOCAL, "mallory").refusal())
                .isEqualTo(Access.Refusal.NOT_AUTHORIZED);
    }
}
