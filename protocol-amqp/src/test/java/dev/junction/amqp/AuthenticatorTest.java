package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * SASL EXTERNAL against the certificate identity, and the loopback-only rule applied to it. A conformance test
 * cannot connect from a non-loopback address on one machine, so the rule is checked here with a documentation
 * address (RFC 5737) standing for a remote client.
 */
class AuthenticatorTest {
    private static final InetAddress REMOTE = address(192, 0, 2, 10);
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private final Authenticator authenticator = new Authenticator(List.of(
            user("guest", true), user("alice", false)));

    private static UserConfig user(String name, boolean loopbackOnly) {
        return new UserConfig(name, Optional.of(name + "-pw"), Optional.empty(), List.of(), loopbackOnly,
                Map.of("/", VhostPermission.all()), List.of());
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<UserConfig> external(String authzid, InetAddress peer, String certificateIdentity) {
        return authenticator.authenticate("EXTERNAL", authzid.getBytes(StandardCharsets.UTF_8), peer,
                certificateIdentity, new String[1]);
    }

    @Test
    void externalLogsInAsTheCertificateIdentity() {
        assertThat(external("", REMOTE, "alice")).map(UserConfig::name).contains("alice");
        assertThat(external("alice", REMOTE, "alice")).as("authzid equal to the identity").isPresent();
    }

    @Test
    void externalWithoutACertificateIdentityIsRefused() {
        assertThat(external("alice", REMOTE, null)).isEmpty();
    }

    @Test
    void externalWithAnotherAuthorizationIdentityIsRefused() {
        // RFC 4422 appendix A: the authzid asks to act as another identity; Junction does not allow that.
        assertThat(external("guest", LOCAL, "alice")).isEmpty();
    }

    @Test
    void externalForAnUnknownUserIsRefused() {
        assertThat(external("", LOCAL, "mallory")).isEmpty();
    }

    @Test
    void aLoopbackOnlyUserIsNotReachableThroughARemoteCertificate() {
        String[] why = new String[1];
        assertThat(authenticator.authenticate("EXTERNAL", new byte[0], REMOTE, "guest", why)).isEmpty();
        assertThat(why[0]).contains("can only connect via localhost");
        dev.junction.routing.auth.Refusal[] kind = new dev.junction.routing.auth.Refusal[1];
        authenticator.authenticate("EXTERNAL", new byte[0], REMOTE, "guest", why, kind);
        assertThat(kind[0]).as("logged in the words both protocols use")
                .isEqualTo(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY);
        assertThat(external("", LOCAL, "guest")).as("the same certificate from this machine").isPresent();
    }

    @Test
    void aCertificateIdentityDoesNotReplaceThePasswordForPlain() {
        byte[] wrong = "\0alice\0nope".getBytes(StandardCharsets.UTF_8);
        assertThat(authenticator.authenticate("PLAIN", wrong, LOCAL, "alice", new String[1])).isEmpty();
    }
}
