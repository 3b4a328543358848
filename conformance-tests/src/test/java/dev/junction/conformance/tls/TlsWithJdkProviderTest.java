package dev.junction.conformance.tls;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The TLS conformance tests with the JDK's TLS provider, the fallback when OpenSSL does not load. */
class TlsWithJdkProviderTest extends TlsListenersTest {
    @BeforeAll
    static void start() throws Exception {
        System.setProperty("junction.tls.provider", "jdk");
        try {
            startBroker();
        } finally {
            System.clearProperty("junction.tls.provider");
        }
    }

    @AfterAll
    static void clear() {
        System.clearProperty("junction.tls.provider");
    }
}
