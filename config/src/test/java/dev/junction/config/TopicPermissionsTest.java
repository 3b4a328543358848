package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** users[].topic_permissions: RabbitMQ's topic permissions, one per vhost and exchange. */
class TopicPermissionsTest {
    private static final String HEAD = "vhosts: [\"/\", prod]\nusers:\n  - name: bob\n    password: x\n";

    @Test
    void topicPermissionsAreReadPerVhostAndExchangeWithVariablesKept() throws ConfigException {
        UserConfig bob = parse(HEAD + """
                    topic_permissions:
                      prod:
                        - { exchange: amq.topic, write: "^{username}\\\\.", read: ".*" }
                        - { exchange: events, write: "" }
                """).user("bob").orElseThrow();
        assertThat(bob.topicPermission("prod", "amq.topic"))
                .contains(new TopicPermission("amq.topic", "^{username}\\.", ".*"));
        assertThat(bob.topicPermission("prod", "events")).contains(new TopicPermission("events", "", ""));
        assertThat(bob.topicPermission("/", "amq.topic")).isEmpty();
    }

    @Test
    void anUndeclaredVhostIsRejected() {
        assertRejected(HEAD + """
                    topic_permissions:
                      staging: [ { exchange: amq.topic, write: ".*" } ]
                """, 6, "users[0].topic_permissions.staging", "vhost 'staging' is not declared");
    }

    @Test
    void aBadExpressionIsRejectedWithItsLineAndKey() {
        assertRejected(HEAD + """
                    topic_permissions:
                      prod:
                        - exchange: amq.topic
                          read: "a(b"
                """, 8, "users[0].topic_permissions.prod[0].read", "not a valid regular expression");
    }

    @Test
    void twoPermissionsForOneExchangeAreRejected() {
        assertRejected(HEAD + """
                    topic_permissions:
                      prod:
                        - { exchange: amq.topic, write: ".*" }
                        - { exchange: amq.topic, read: ".*" }
                """, 8, "users[0].topic_permissions.prod[1].exchange", "a second topic permission");
    }

    @Test
    void anEntryWithoutExchangeOrWithAnUnknownKeyIsRejected() {
        assertRejected(HEAD + """
                    topic_permissions:
                      prod:
                        - { write: ".*" }
                """, 7, "users[0].topic_permissions.prod[0].exchange", "needs an exchange");
        assertRejected(HEAD + """
                    topic_permissions:
                      prod:
                        - { exchange: x, wirte: ".*" }
                """, 7, "users[0].topic_permissions.prod[0].wirte", "unknown key");
    }
}
