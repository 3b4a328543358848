package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.failure;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VhostAndUserRulesTest {

    private static final String HASH = "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR";

    @Test
    void anEmptyVhostNameIsRejected() {
        assertRejected("vhosts:\n  - /\n  - ''\n", 3, "vhosts[1]", "must not be empty");
    }

    @Test
    void aDuplicateVhostIsRejected() {
        assertRejected("vhosts:\n  - /\n  - prod\n  - prod\n", 4, "vhosts[2]",
                "duplicate vhost 'prod' (first given at line 3)");
    }

    @Test
    void anEmptyVhostListIsRejected() {
        assertRejected("vhosts: []\n", 1, "vhosts", "at least one vhost is required");
    }

    @Test
    void aVhostNameLongerThanAnAmqpShortStringIsRejected() {
        assertRejected("vhosts: [\"/\", " + "v".repeat(256) + "]\n", 1, "vhosts[1]", "longer than 255 bytes");
    }

    @Test
    void aNullVhostEntryIsAWrongType() {
        assertRejected("vhosts:\n  - /\n  - ~\n", 3, "vhosts[1]", "expected a string, got nothing");
    }

    @Test
    void aDuplicateUserIsRejectedAtTheSecondName() {
        ConfigException e = failure("""
                users:
                  - name: guest
                    password: a
                  - name: guest
                    password: b
                """);

        assertThat(e.getMessage()).startsWith("test.yaml:4: users[1].name: duplicate user 'guest'");
    }

    @Test
    void aUserWithBothPasswordAndHashIsRejected() {
        assertRejected("""
                users:
                  - name: bob
                    password: x
                    password_hash: %s
                """.formatted(HASH), 4, "users[0].password_hash", "has both password and password_hash");
    }

    @Test
    void aUserWithNeitherPasswordNorHashIsRejected() {
        assertRejected("""
                users:
                  - name: bob
                    tags: [monitoring]
                """, 2, "users[0]", "user 'bob' needs a password or a password_hash");
    }

    @Test
    void aUserWithoutANameIsRejected() {
        assertRejected("users:\n  - password: x\n", 2, "users[0].name", "every user needs a name");
    }

    @Test
    void anEmptyPasswordIsRejected() {
        assertRejected("users:\n  - name: bob\n    password: ''\n", 3, "users[0].password", "must not be empty");
    }

    @Test
    void aPasswordHashThatIsNotBase64IsRejected() {
        assertRejected("users:\n  - name: bob\n    password_hash: 'not*base64!'\n", 3, "users[0].password_hash",
                "not valid base64");
    }

    @Test
    void aPasswordHashShorterThanFiveBytesIsRejected() {
        assertRejected("users:\n  - name: bob\n    password_hash: AAAAAA==\n", 3, "users[0].password_hash",
                "decodes to 4 bytes; expected 36");
    }

    @Test
    void aPasswordHashOfTheWrongLengthIsRejectedBecauseItCouldNeverMatch() {
        // 4-byte salt + a 16-byte (MD5-sized) digest
        assertRejected("users:\n  - name: bob\n    password_hash: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 3,
                "users[0].password_hash", "decodes to 20 bytes; expected 36");
    }

    @Test
    void aValidPasswordHashIsKeptAsWritten() throws ConfigException {
        UserConfig bob = parse("users:\n  - name: bob\n    password_hash: " + HASH + "\n").user("bob").orElseThrow();

        assertThat(bob.passwordHash()).contains(HASH);
        assertThat(bob.password()).isEmpty();
    }

    @Test
    void aUserWithoutPermissionsGetsNothing() throws ConfigException {
        UserConfig bob = parse("users:\n  - name: bob\n    password: x\n").user("bob").orElseThrow();

        assertThat(bob.permissions()).isEmpty();
        assertThat(bob.permissionsFor("/")).isEmpty();
        assertThat(bob.tags()).isEmpty();
        assertThat(bob.loopbackOnly()).isFalse();
        assertThat(bob.acl()).isEmpty();
    }

    @Test
    void aPasswordThatLooksLikeANumberIsKeptAsWritten() throws ConfigException {
        UserConfig bob = parse("users:\n  - name: bob\n    password: 0x1F\n").user("bob").orElseThrow();

        assertThat(bob.checkPassword("0x1F")).isTrue();
    }

    @Test
    void usersMustBeAList() {
        assertRejected("users:\n  name: bob\n", 2, "users", "expected a list, got a mapping");
    }

    @Test
    void aUserMustBeAMapping() {
        assertRejected("users:\n  - bob\n", 2, "users[0]", "expected a mapping, got 'bob'");
    }

    @Test
    void anEmptyTagIsRejected() {
        assertRejected("users:\n  - name: bob\n    password: x\n    tags: [a, '']\n", 4, "users[0].tags[1]",
                "must not be empty");
    }

    @Test
    void aPbkdf2PasswordHashIsAcceptedAndAMalformedOneNamesTheKey() throws Exception {
        String hash = PasswordHash.create("pw", 1000);
        UserConfig bob = ConfigAssertions.parse("users:\n  - name: bob\n    password_hash: '" + hash + "'\n")
                .users().get(0);
        org.assertj.core.api.Assertions.assertThat(bob.checkPassword("pw")).isTrue();
        assertRejected("users:\n  - name: bob\n    password_hash: '$pbkdf2-sha512$i=5$AAAA$AAAA'\n", 3,
                "users[0].password_hash", "not a valid $pbkdf2-sha512$i=ITERATIONS$SALT$HASH value");
    }
}
