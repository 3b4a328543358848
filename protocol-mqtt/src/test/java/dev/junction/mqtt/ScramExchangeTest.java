package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The server side of SCRAM against RFC 7677 section 3's SCRAM-SHA-256 example, and what it refuses. */
class ScramExchangeTest {
    // RFC 7677 section 3: user "user", password "pencil".
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static final ScramSecret SECRET = ScramSecret.derive(ScramMechanism.SCRAM_SHA_256, "pencil",
            Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    private static ScramExchange exchange(ScramSecret secret) throws Exception {
        return new ScramExchange(ScramMechanism.SCRAM_SHA_256, ScramExchange.clientFirst(bytes(CLIENT_FIRST)), secret,
                SERVER_NONCE);
    }

    @Test
    void theRfc7677ExampleAuthenticatesBothWays() throws Exception {
        ScramExchange x = exchange(SECRET);

        assertThat(x.userName()).isEqualTo("user");
        assertThat(text(x.serverFirst())).isEqualTo(SERVER_FIRST);
        assertThat(text(x.finish(bytes(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
    }

    @Test
    void aWrongProofOrAnUnknownUserFailsWithoutSayingWhich() throws Exception {
        ScramSecret other = ScramSecret.derive(ScramMechanism.SCRAM_SHA_256, "pencil2",
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        assertThat(exchange(other).finish(bytes(CLIENT_FINAL))).isNull();

        ScramExchange unknown = exchange(null);
        assertThat(text(unknown.serverFirst())).startsWith("r=rOprNGfwEbeRWgbNEkqO" + SERVER_NONCE + ",s=")
                .endsWith(",i=4096");
        assertThat(exchange(null).serverFirst()).as("the decoy salt is stable per name").isEqualTo(
                unknown.serverFirst());
        assertThat(unknown.finish(bytes(CLIENT_FINAL))).isNull();
    }

    @Test
    void aFinalMessageThatDoesNotContinueTheExchangeIsMalformed() throws Exception {
        String badBinding = CLIENT_FINAL.replace("c=biws", "c=eSws"); // "y,," where the client sent "n,,"
        String badNonce = CLIENT_FINAL.replace("hNlF$k0,p=", "hNlF$k1,p=");
        String noProof = CLIENT_FINAL.substring(0, CLIENT_FINAL.indexOf(",p="));
        for (String bad : new String[] {badBinding, badNonce, noProof}) {
            assertThatThrownBy(() -> exchange(SECRET).finish(bytes(bad))).as(bad)
                    .isInstanceOf(ScramExchange.Malformed.class);
        }
    }

    @Test
    void clientFirstMessagesAreReadAsRfc5802Says() throws Exception {
        ScramExchange.ClientFirst escaped = ScramExchange.clientFirst(bytes("n,,n=a=2Cb=3Dc,r=xyz"));
        assertThat(escaped.userName()).isEqualTo("a,b=c");
        assertThat(escaped.gs2Header()).isEqualTo("n,,");
        assertThat(ScramExchange.clientFirst(bytes("y,a=user,n=user,r=xyz")).gs2Header()).isEqualTo("y,a=user,");

        String[] refused = {
            "p=tls-unique,,n=user,r=xyz",   // channel binding
            "n,a=admin,n=user,r=xyz",       // acting as another user
            "n,,m=ext,n=user,r=xyz",        // mandatory extension
            "n,,n=us=er,r=xyz",             // '=' not escaped
            "n,,n=,r=xyz",
            "n,,r=xyz",
            "n,,n=user",
            "n,,n=user,r=a,b",
            "x,,n=user,r=xyz",
        };
        for (String r : refused) {
            assertThatThrownBy(() -> ScramExchange.clientFirst(bytes(r))).as(r)
                    .isInstanceOf(ScramExchange.Malformed.class);
        }
        assertThatThrownBy(() -> ScramExchange.clientFirst(new byte[] {'n', ',', ',', (byte) 0xFF}))
                .isInstanceOf(ScramExchange.Malformed.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
