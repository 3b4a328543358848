package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SASL OAUTHBEARER's client response (RFC 7628 section 3.1) as the Authentication Data of an MQTT 5 CONNECT. */
class OAuthBearerTest {
    private static OAuthBearer.ClientResponse read(String text) throws OAuthBearer.Malformed {
        return OAuthBearer.read(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theTokenAndTheAuthorizationIdentityAreRead() throws Exception {
        assertThat(read("n,,\u0001auth=Bearer abc.def.ghi\u0001\u0001"))
                .isEqualTo(new OAuthBearer.ClientResponse("abc.def.ghi", null));
        // RFC 7628 section 4.1's example: host and port pairs, an authorization identity; the scheme in any case.
        assertThat(read("n,a=user@example.com,\u0001host=server.example.com\u0001port=143\u0001"
                + "auth=bearer vF9dft4qmT\u0001\u0001"))
                .isEqualTo(new OAuthBearer.ClientResponse("vF9dft4qmT", "user@example.com"));
    }

    @Test
    void malformedResponsesAreRefused() {
        String[] malformed = {
            "abc.def.ghi",                                      // a bare token
            "n,,\u0001auth=Bearer abc\u0001",                   // no final %x01
            "n,,\u0001\u0001",                                  // no auth pair
            "n,,\u0001auth=Basic abc\u0001\u0001",              // not a bearer token
            "p=tls-unique,,\u0001auth=Bearer abc\u0001\u0001",  // channel binding
            "n,,\u0001noequals\u0001\u0001",
        };
        for (String m : malformed) {
            assertThatThrownBy(() -> read(m)).as(m).isInstanceOf(OAuthBearer.Malformed.class);
        }
    }
}
