package dev.junction.routing.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 4616 section 2: {@code [authzid] NUL authcid NUL passwd}; the password may itself hold NUL bytes. */
class SaslPlainTest {

    @Test
    void plainResponsesAreReadAsRfc4616Says() {
        assertThat(SaslPlain.credentials("\0u\0p".getBytes())).containsExactly("u", "p");
        assertThat(SaslPlain.credentials("authz\0u\0p\0q".getBytes())).containsExactly("u", "p\0q");
        assertThat(SaslPlain.credentials("no separators".getBytes())).isNull();
        assertThat(SaslPlain.credentials("\0only-one".getBytes())).isNull();
    }
}
