package dev.junction.conformance.tls;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The TLS conformance tests with the JDK's TLS provider, the fallback when OpenSSL does not load. */
class TlsWithJdkProviderTest extends TlsListenersTest {
    @RegisterExtension
    static final TlsBroker tls = TlsBroker.perClass("jdk");

    @Override
    TlsBroker tls() {
        return tls;
    }
}
