package dev.junction.routing.auth.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.UserConfig;
import java.util.List;
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
        // {username} in a token stays literal: escaped, it is not a topic-permission variable.
        UserConfig v = user("junction.write:*/amq.topic/{username}.*");
        assertThat(v.topicPermission("/", "amq.topic").orElseThrow().write()).doesNotContain("{username}");
    }
}
