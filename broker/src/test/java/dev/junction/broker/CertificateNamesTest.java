package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/** The common name a certificate subject yields as a user name (RabbitMQ ssl_cert_login_from: common_name). */
class CertificateNamesTest {
    @Test
    void theCommonNameIsTakenFromAmongOtherAttributes() {
        assertThat(CertificateNames.commonName(new X500Principal("CN=device-42, OU=fleet, O=Example, C=DE")))
                .contains("device-42");
    }

    @Test
    void theMostSpecificCommonNameWinsWhenThereAreSeveral() {
        // RFC 4514 writes the most specific RDN first.
        assertThat(CertificateNames.commonName(new X500Principal("CN=device-42, CN=devices, O=Example")))
                .contains("device-42");
    }

    @Test
    void aSubjectWithoutCommonNameHasNone() {
        assertThat(CertificateNames.commonName(new X500Principal("OU=fleet, O=Example"))).isEmpty();
    }

    @Test
    void escapedCharactersAreUnescaped() {
        assertThat(CertificateNames.commonName(new X500Principal("CN=Smith\\, John, O=Example"))).contains("Smith, John");
    }
}
