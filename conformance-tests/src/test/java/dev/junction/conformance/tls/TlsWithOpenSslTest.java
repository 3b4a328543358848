package dev.junction.conformance.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TLS conformance tests with the OpenSSL (BoringSSL) provider, the one the broker picks when it loads. */
class TlsWithOpenSslTest extends TlsListenersTest {
    @BeforeAll
    static void start() throws Exception {
        startBroker();
    }

    @Test
    void theBoringSslNativeLibraryLoadsFromTheDeclaredDependency() {
        // netty-tcnative-boringssl-static without a classifier pulls the natives of every platform.
        assertThat(OpenSsl.isAvailable()).as("OpenSSL unavailable: %s", OpenSsl.unavailabilityCause()).isTrue();
    }
}
