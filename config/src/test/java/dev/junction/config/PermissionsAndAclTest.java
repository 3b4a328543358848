package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PermissionsAndAclTest {

    private static UserConfig bob(String extra) throws ConfigException {
        return parse("vhosts: [\"/\", prod]\nusers:\n  - name: bob\n    password: x\n" + extra)
                .user("bob").orElseThrow();
    }

    private static void assertBobRejected(String extra, int line, String key, String fragment) {
        assertRejected("vhosts: [\"/\", prod]\nusers:\n  - name: bob\n    password: x\n" + extra, line, key, fragment);
    }

    @Test
    void permissionsForAnUndeclaredVhostAreRejected() {
        assertBobRejected("""
                    permissions:
                      staging: { read: ".*" }
                """, 6, "users[0].permissions.staging", "vhost 'staging' is not declared in vhosts ('/', 'prod')");
    }

    @Test
    void aRegexThatDoesNotCompileIsRejected() {
        assertBobRejected("""
                    permissions:
                      "/":
                        configure: ".*"
                        write: "amq.(gen"
                """, 8, "users[0].permissions[\"/\"].write", "not a valid regular expression");
    }

    @Test
    void anUnknownRightIsRejected() {
        assertBobRejected("""
                    permissions:
                      prod: { raed: ".*" }
                """, 6, "users[0].permissions.prod.raed", "unknown key (expected one of configure, write, read)");
    }

    @Test
    void theEmptyExpressionAndAMissingOneGrantNothing() throws ConfigException {
        VhostPermission p = bob("""
                    permissions:
                      prod: { configure: "", write: "^mqtt" }
                """).permissionsFor("prod").orElseThrow();

        assertThat(p.canConfigure("anything")).isFalse();
        assertThat(p.canConfigure("")).isFalse();
        assertThat(p.configure().matcher("").matches()).isFalse();
        assertThat(p.canRead("q")).isFalse();
        assertThat(p.canWrite("mqtt.topic")).isTrue();
        assertThat(p).isEqualTo(VhostPermission.of("", "^mqtt", ""));
    }

    @Test
    void expressionsMatchAnywhereInTheNameAsInRabbitMq() throws ConfigException {
        VhostPermission p = bob("    permissions: { prod: { read: \"gen\", write: \"^amq\\\\.gen\" } }\n")
                .permissionsFor("prod").orElseThrow();

        assertThat(p.canRead("amq.gen-123")).isTrue();
        assertThat(p.canWrite("amq.gen-123")).isTrue();
        assertThat(p.canWrite("x.amq.gen")).isFalse();
    }

    @Test
    void aclRulesAreKeptInOrderAndActionDefaultsToAll() throws ConfigException {
        UserConfig user = bob("""
                    acl:
                      - { permission: deny, action: publish, topic: "secrets/#" }
                      - { permission: allow, action: subscribe, topic: "devices/%c/+" }
                      - { permission: allow, topic: "users/%u/#" }
                """);

        assertThat(user.acl()).containsExactly(
                new AclRule(AclRule.Permission.DENY, AclRule.Action.PUBLISH, "secrets/#"),
                new AclRule(AclRule.Permission.ALLOW, AclRule.Action.SUBSCRIBE, "devices/%c/+"),
                new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "users/%u/#"));
        assertThat(user.acl().get(2).covers(AclRule.Action.PUBLISH)).isTrue();
        assertThat(user.acl().get(0).covers(AclRule.Action.SUBSCRIBE)).isFalse();
    }

    @Test
    void anAclPermissionOutsideTheEnumIsRejected() {
        assertBobRejected("    acl:\n      - { permission: maybe, topic: a }\n", 6, "users[0].acl[0].permission",
                "expected one of allow, deny, got 'maybe'");
    }

    @Test
    void anAclActionOutsideTheEnumIsRejected() {
        assertBobRejected("    acl:\n      - permission: allow\n        action: read\n        topic: a\n", 7,
                "users[0].acl[0].action", "expected one of publish, subscribe, all, got 'read'");
    }

    @Test
    void anAclRuleWithoutATopicIsRejected() {
        assertBobRejected("    acl:\n      - { permission: allow }\n", 6, "users[0].acl[0].topic",
                "every acl rule needs a topic");
    }

    @Test
    void anAclRuleWithoutAPermissionIsRejected() {
        assertBobRejected("    acl:\n      - { topic: a/b }\n", 6, "users[0].acl[0].permission",
                "every acl rule needs a permission");
    }

    @Test
    void aMultiLevelWildcardThatIsNotLastIsRejected() {
        assertBobRejected("    acl:\n      - { permission: allow, topic: \"a/#/b\" }\n", 6, "users[0].acl[0].topic",
                "'#' must be a whole level and the last one");
    }

    @Test
    void aSingleLevelWildcardInsideALevelIsRejected() {
        assertBobRejected("    acl:\n      - { permission: allow, topic: \"a/b+\" }\n", 6, "users[0].acl[0].topic",
                "'+' must be a whole level");
    }

    @Test
    void anUnknownAclKeyIsRejected() {
        assertBobRejected("    acl:\n      - { permission: allow, topic: a, qos: 1 }\n", 6, "users[0].acl[0].qos",
                "unknown key (expected one of permission, action, topic)");
    }
}
