package dev.junction.routing.auth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.UserConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RabbitMQ's OAuth 2.0 scopes as Junction rights. */
class ScopeRightsTest {
    private static UserConfig user(String... scopes) {
        return ScopeRights.user("svc", List.of(scopes), "junction", List.of("/", "prod", "dev"), "amq.topic");
    }

    @Test
    void scopesGrantPerKindAndVhostWithWildcards() {
        UserConfig u = user("junction.read:prod/q.*", "junction.write:*/ex", "junction.tag:administrator",
                "other.configure:*/*");
        assertThat(u.permissionsFor("prod").orElseThrow().canRead("q.orders")).isTrue();
        assertThat(u.permissionsFor("prod").orElseThrow().canRead("x.q.orders")).isFalse(); // whole name
        assertThat(u.permissionsFor("dev").orElseThrow().canWrite("ex")).isTrue();
        assertThat(u.permissionsFor("dev").orElseThrow().canRead("ex")).isFalse();
        assertThat(u.permissionsFor("prod").orElseThrow().canConfigure("q.orders")).isFalse(); // other server
        assertThat(u.isAdministrator()).isTrue();
    }

    @Test
    void regexCharactersInAScopeAreLiteral() {
        UserConfig u = user("junction.read:*/(.*)|x", "junction.write:*/a.b");
        assertThat(u.permissionsFor("/").orElseThrow().canRead("anything")).isFalse();
        assertThat(u.permissionsFor("/").orElseThrow().canRead("(.*)|x")).isTrue();
        assertThat(u.permissionsFor("/").orElseThrow().canWrite("aXb")).isFalse();
    }

    @Test
    void routingKeyPatternsBecomeTopicPermissionsOnTheNamedAndMqttExchanges() {
        UserConfig u = user("junction.write:*/amq.topic/devices.d1.*", "junction.read:*/*/devices.*",
                "junction.write:prod/events");
        var t = u.topicPermission("/", "amq.topic").orElseThrow();
        assertThat(t.write()).isEqualTo("^(?:devices\\.d1\\..*)$");
        assertThat(t.read()).isEqualTo("^(?:devices\\..*)$");
        // {username} in a token is filled in here: it never reaches the topic permission as a variable of its own.
        UserConfig v = user("junction.write:*/amq.topic/{username}.*");
        assertThat(v.topicPermission("/", "amq.topic").orElseThrow().write()).doesNotContain("{username}");
    }

    /** RabbitMQ's OAuth 2.0 plugin: {vhost} and the token's string claims are variables in every part of a scope. */
    @Test
    void variablesAreFilledInWithTheVhostTheUserNameAndStringClaims() {
        UserConfig u = ScopeRights.user("svc", List.of("junction.configure:*/q-{vhost}-{username}-*",
                "junction.write:{vhost}/x-{sub}", "junction.read:*/amq.topic/u.{client_id}.*",
                "junction.read:*/{unknown}"), Map.of("sub", "bob", "client_id", "c*1"), "junction",
                List.of("/", "prod"), "amq.topic");
        var prod = u.permissionsFor("prod").orElseThrow();
        assertThat(prod.canConfigure("q-prod-svc-1")).isTrue();
        assertThat(prod.canConfigure("q-dev-svc-1")).as("another vhost's name").isFalse();
        assertThat(prod.canWrite("x-bob")).isTrue();
        assertThat(prod.canRead("{unknown}")).as("no value: matches itself").isTrue();
        assertThat(prod.canRead("anything")).isFalse();
        var t = u.topicPermission("prod", "amq.topic").orElseThrow();
        assertThat(java.util.regex.Pattern.compile(t.read()).matcher("u.c*1.temp").matches()).isTrue();
        assertThat(java.util.regex.Pattern.compile(t.read()).matcher("u.c21.temp").matches())
                .as("a '*' in a value is literal").isFalse();
        // A claim named username wins over the user's name, as RabbitMQ takes the claim.
        UserConfig w = ScopeRights.user("svc", List.of("junction.read:*/q-{username}"), Map.of("username", "carol"),
                "junction", List.of("/"), "amq.topic");
        assertThat(w.permissionsFor("/").orElseThrow().canRead("q-carol")).isTrue();
        assertThat(w.permissionsFor("/").orElseThrow().canRead("q-svc")).isFalse();
    }
}
