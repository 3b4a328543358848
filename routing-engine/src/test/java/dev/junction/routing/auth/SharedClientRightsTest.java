package dev.junction.routing.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * MQTT clients of one directory user share one rights object unless the user's rules mention the client id; a
 * change to the directory that makes them mention it gives each client its own again, and a user an external
 * backend made keeps rights of its own (they may be renewed per connection).
 */
class SharedClientRightsTest {
    private static UserConfig user(String name, List<AclRule> acl, List<TopicPermission> tps) {
        return new UserConfig(name, Optional.of("pw"), Optional.empty(), List.of(), false,
                Map.of("/", VhostPermission.all()), acl, Map.of("/", tps));
    }

    private static Authorization withUsers(UserConfig... users) {
        Authorization a = new Authorization();
        a.mqtt("/", "amq.topic", "mqtt.session.", "mqtt.share.", q -> { });
        a.users().load(List.of(users), Map.of());
        return a;
    }

    @Test
    void clientsOfAUserWhoseRulesDoNotNameTheClientShareOneRightsObject() {
        UserConfig u = user("fleet", List.of(new AclRule(AclRule.Permission.DENY, AclRule.Action.PUBLISH, "secret/#"),
                new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "#")),
                List.of(new TopicPermission("amq.topic", "^devices\\.{username}", ".*")));
        Authorization a = withUsers(u);
        UserRights one = a.clientRights(u, "/", "device-1");
        UserRights two = a.clientRights(u, "/", "device-2");
        assertThat(two).isSameAs(one);
        assertThat(one.mayPublishTopic("secret/x", "secret.x")).isFalse();
        assertThat(one.mayPublishTopic("devices/fleet", "devices.fleet")).isTrue();
        assertThat(one.mayPublishTopic("devices/other", "devices.other")).isFalse();
        assertThat(a.clientRights(u, "other", "device-1")).as("per vhost").isNotSameAs(one);
    }

    @Test
    void rulesThatNameTheClientIdGiveEachClientItsOwnRights() {
        UserConfig acl = user("acl", List.of(new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "devices/%c/#")),
                List.of());
        UserConfig tp = user("tp", List.of(), List.of(new TopicPermission("amq.topic", "^{client_id}\\.", ".*")));
        Authorization a = withUsers(acl, tp);
        UserRights one = a.clientRights(acl, "/", "d1");
        assertThat(a.clientRights(acl, "/", "d2")).isNotSameAs(one);
        assertThat(one.mayPublishTopic("devices/d1/t", "devices.d1.t")).isTrue();
        assertThat(one.mayPublishTopic("devices/d2/t", "devices.d2.t")).isFalse();
        UserRights t1 = a.clientRights(tp, "/", "d1");
        assertThat(a.clientRights(tp, "/", "d2")).isNotSameAs(t1);
        assertThat(t1.mayPublishTopic("d1/x", "d1.x")).isTrue();
        assertThat(t1.mayPublishTopic("d2/x", "d2.x")).isFalse();
    }

    @Test
    void aDirectoryChangeThatNamesTheClientIdEndsTheSharing() {
        UserConfig before = user("fleet", List.of(), List.of());
        Authorization a = withUsers(before);
        UserRights shared = a.clientRights(before, "/", "d1");
        long version = shared.version();
        UserConfig after = user("fleet",
                List.of(new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "devices/%c/#")), List.of());
        a.users().put(after);
        assertThat(shared.version()).as("a holder sees the change and asks again").isNotEqualTo(version);
        UserRights own = a.clientRights(before, "/", "d1");
        assertThat(own).isNotSameAs(shared).isNotSameAs(a.clientRights(before, "/", "d2"));
        assertThat(own.mayPublishTopic("devices/d1/t", "devices.d1.t")).isTrue();
        assertThat(own.mayPublishTopic("devices/d2/t", "devices.d2.t")).isFalse();
    }

    @Test
    void aUserAnExternalBackendMadeKeepsRightsOfItsOwn() {
        UserConfig made = new UserConfig("token-user", Optional.empty(), Optional.empty(), List.of(), false,
                Map.of("/", VhostPermission.all()), List.of(), Map.of());
        Authorization a = withUsers();
        UserRights one = a.clientRights(made, "/", "d1");
        assertThat(a.clientRights(made, "/", "d2")).isNotSameAs(one);
        assertThat(one.followsDirectory()).isFalse();
    }
}
