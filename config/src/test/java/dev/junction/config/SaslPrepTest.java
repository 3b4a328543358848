package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** SASLprep against the examples of RFC 4013 section 3, and SCRAM secrets of equivalent passwords. */
class SaslPrepTest {
    @Test
    void theExamplesOfRfc4013Section3() {
        assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");      // 1: SOFT HYPHEN mapped to nothing
        assertThat(SaslPrep.prepare("user")).isEqualTo("user");        // 2: no transformation
        assertThat(SaslPrep.prepare("USER")).isEqualTo("USER");        // 3: case preserved
        assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");         // 4: output is NFKC, input in ISO 8859-1
        assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");        // 5: output is NFKC
        assertThat(SaslPrep.prepare("\u0007")).isNull();               // 6: prohibited character
        assertThat(SaslPrep.prepare("\u0627\u0031")).isNull();         // 7: bidirectional check
    }

    @Test
    void nonAsciiSpacesBecomeSpacesAndPrivateUseIsProhibited() {
        assertThat(SaslPrep.prepare("a\u00A0b")).isEqualTo("a b");
        assertThat(SaslPrep.prepare("a\uE000")).isNull();
        assertThat(SaslPrep.prepare("\u0627\u0628")).as("right-to-left only").isEqualTo("\u0627\u0628");
    }

    /** RFC 5802 section 2.2: SaltedPassword := Hi(Normalize(password), salt, i). */
    @Test
    void equivalentPasswordsGiveTheSameScramSecret() {
        byte[] salt = new byte[16];
        ScramSecret a = ScramSecret.derive(ScramMechanism.SCRAM_SHA_256, "I\u00ADX\u2168", salt, 4096);
        ScramSecret b = ScramSecret.derive(ScramMechanism.SCRAM_SHA_256, "IXIX", salt, 4096);
        assertThat(Arrays.equals(a.storedKey(), b.storedKey())).isTrue();
        assertThat(a.matches("IXIX")).isTrue();
    }
}
