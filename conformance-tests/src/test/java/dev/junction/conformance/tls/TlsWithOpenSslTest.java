package dev.junction.conformance.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The TLS conformance tests with the OpenSSL (BoringSSL) provider, the one the broker picks when it loads. */
class TlsWithOpenSslTest extends TlsListenersTest {
    @RegisterExtension
    static final TlsBroker tls = TlsBroker.perClass();

    @Override
    TlsBroker tls() {
        return tls;
    }

    @Test
    void theBoringSslNativeLibraryLoadsFromTheDeclaredDependency() {
        // netty-tcnative-boringssl-static without a classifier pulls the natives of every platform.
        assertThat(OpenSsl.isAvailable()).as("OpenSSL unavailable: %s", OpenSsl.unavailabilityCause()).isTrue();
    }
}
