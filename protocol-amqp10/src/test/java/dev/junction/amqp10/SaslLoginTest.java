package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import io.netty.channel.DefaultEventLoop;
import java.net.InetAddress;
import org.apache.qpid.proton.engine.Sasl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The SASL layer of an AMQP 1.0 connection: PLAIN, the loopback-only rule, ANONYMOUS only where allowed. */
class SaslLoginTest {
    private static final DefaultEventLoop LOOP = new DefaultEventLoop();
    private static final RoutingEngine ENGINE = EmbeddedAmqp10.engine();
    /** An address of TEST-NET-1 (RFC 5737): never loopback, and nothing is sent to it. */
    private static final InetAddress REMOTE = address(192, 0, 2, 1);

    @AfterAll
    static void stop() {
        ENGINE.close();
        LOOP.shutdownGracefully();
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static EmbeddedAmqp10 server(String anonymousUser, boolean loopbackOnly, InetAddress peer) {
        return new EmbeddedAmqp10(ENGINE, LOOP, EmbeddedAmqp10.settings(anonymousUser, loopbackOnly), peer);
    }

    @Test
    void plainWithTheRightPasswordOpens() {
        try (EmbeddedAmqp10 conn = server(null, false, REMOTE)) {
            assertThat(conn.logIn()).isTrue();
            assertThat(conn.client.sasl().getOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
        }
    }

    @Test
    void aWrongPasswordGetsTheAuthOutcomeAndTheSocketCloses() {
        try (EmbeddedAmqp10 conn = server(null, false, REMOTE)) {
            assertThat(conn.logIn(EmbeddedAmqp10.USER, "wrong")).isFalse();
            assertThat(conn.client.sasl().getOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
            assertThat(conn.open()).isFalse();
        }
    }

    @Test
    void aLoopbackOnlyUserIsRefusedFromAnotherAddressAndAcceptedFromLoopback() {
        try (EmbeddedAmqp10 conn = server(null, true, REMOTE)) {
            assertThat(conn.logIn()).isFalse();
            assertThat(conn.client.sasl().getOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        try (EmbeddedAmqp10 conn = server(null, true, InetAddress.getLoopbackAddress())) {
            assertThat(conn.logIn()).isTrue();
        }
    }

    @Test
    void anonymousIsRefusedUnlessAUserIsConfiguredForIt() {
        try (EmbeddedAmqp10 conn = server(null, false, InetAddress.getLoopbackAddress())) {
            assertThat(conn.logIn(null, null)).isFalse();
            assertThat(conn.client.sasl().getOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        try (EmbeddedAmqp10 conn = server(EmbeddedAmqp10.USER, false, InetAddress.getLoopbackAddress())) {
            assertThat(conn.logIn(null, null)).isTrue();
        }
    }

    @Test
    void externalLogsInAsTheCertificatesUser() {
        try (EmbeddedAmqp10 conn = server(null, false, REMOTE)) {
            conn.certificateIdentity(EmbeddedAmqp10.USER);
            assertThat(conn.logInWith(SaslLogin.EXTERNAL)).isTrue();
        }
    }

    @Test
    void externalIsRefusedWithoutACertificateOrForAnUnknownOrLoopbackOnlyUser() {
        try (EmbeddedAmqp10 conn = server(null, false, REMOTE)) {
            assertThat(conn.logInWith(SaslLogin.EXTERNAL)).isFalse();
        }
        try (EmbeddedAmqp10 conn = server(null, false, REMOTE)) {
            conn.certificateIdentity("mallory");
            assertThat(conn.logInWith(SaslLogin.EXTERNAL)).isFalse();
        }
        try (EmbeddedAmqp10 conn = server(null, true, REMOTE)) {
            conn.certificateIdentity(EmbeddedAmqp10.USER);
            assertThat(conn.logInWith(SaslLogin.EXTERNAL)).isFalse();
        }
    }
}
