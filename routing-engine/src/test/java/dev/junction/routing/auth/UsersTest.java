package dev.junction.routing.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the config file's users and the management API's combine ({@link UserLayers}), and what a change tells. */
class UsersTest {
    private static final VhostPermission ALL = VhostPermission.all();
    private static final VhostPermission READ = VhostPermission.of("", "", ".*");

    private static UserConfig user(String name, String password, Map<String, VhostPermission> permissions) {
        return new UserConfig(name, Optional.of(password), Optional.empty(), List.of(), false, permissions,
                List.of(), Map.of());
    }

    private static UserConfig apiUser(String name, Map<String, VhostPermission> permissions) {
        return new UserConfig(name, Optional.empty(), Optional.of("hash"), List.of(), false, permissions,
                List.of(), Map.of());
    }

    private static Users loaded(List<UserConfig> file) {
        Users users = new Users();
        users.load(file, Map.of());
        return users;
    }

    @Test
    void theFileWinsForWhatItDeclaresAndApiObjectsItDoesNotDeclareSurviveAReload() {
        Users users = loaded(List.of(user("guest", "guest", Map.of("/", ALL))));
        // A vhost made over the API, and guest granted access to it: RabbitMQ's add_vhost + set_permissions.
        UserConfig guest = users.find("guest").orElseThrow();
        users.put(new UserConfig("guest", guest.password(), guest.passwordHash(), guest.tags(), false,
                Map.of("/", READ, "api-vhost", ALL), List.of(), Map.of()));
        assertThat(users.find("guest").orElseThrow().permissions().get("/")).isEqualTo(READ);

        users.reloadFile(List.of(user("guest", "guest", Map.of("/", ALL))));
        UserConfig after = users.find("guest").orElseThrow();
        assertThat(after.permissions()).containsEntry("/", ALL).containsEntry("api-vhost", ALL);
        assertThat(after.checkPassword("guest")).isTrue();
    }

    @Test
    void whatTheApiStoresForAFileUserIsOnlyWhatTheFileDoesNotDeclare() {
        Users users = loaded(List.of(user("guest", "guest", Map.of("/", ALL))));
        UserLayers.Stored stored = users.put(user("guest", "changed", Map.of("/", READ, "x", ALL)));
        assertThat(stored.overlay()).isTrue();
        assertThat(stored.user().permissions()).containsOnlyKeys("x");
        assertThat(stored.user().password()).isEmpty();
        // A restart: the stored overlay and the file give the file's guest plus the API's permission.
        Users restarted = new Users();
        restarted.load(List.of(user("guest", "guest", Map.of("/", ALL))), Map.of("guest", stored));
        assertThat(restarted.find("guest").orElseThrow().permissions()).containsOnlyKeys("/", "x");
        assertThat(restarted.find("guest").orElseThrow().checkPassword("guest")).isTrue();
    }

    @Test
    void aUserTheFileNoLongerDeclaresGoesAtReloadWithWhatTheApiGrantedIt() {
        Users users = loaded(List.of(user("a", "a", Map.of("/", ALL)), user("b", "b", Map.of("/", ALL))));
        users.put(user("b", "b", Map.of("/", ALL, "x", ALL)));
        users.put(apiUser("api", Map.of("/", ALL)));
        List<Users.Reduced> reduced = users.reloadFile(List.of(user("a", "a", Map.of("/", ALL))));
        assertThat(users.find("b")).isEmpty();
        assertThat(users.find("api")).isPresent(); // the API's own users are not the file's to remove
        assertThat(reduced).extracting(Users.Reduced::user).containsExactly("b");
        assertThat(reduced.get(0).everywhere()).isTrue();
    }

    @Test
    void aFileUserDeletedOverTheApiComesBackAtTheNextReload() {
        Users users = loaded(List.of(user("guest", "guest", Map.of("/", ALL))));
        assertThat(users.remove("guest")).isTrue();
        assertThat(users.find("guest")).isEmpty();
        users.reloadFile(List.of(user("guest", "guest", Map.of("/", ALL))));
        assertThat(users.find("guest")).isPresent();
    }

    @Test
    void watchersHearOnlyReducedRightsAndInWhichVhosts() {
        Users users = loaded(List.of(user("u", "u", Map.of("/", ALL, "v", ALL))));
        List<Users.Reduced> heard = new ArrayList<>();
        users.watch(heard::addAll);
        users.put(user("u", "u", Map.of("/", ALL, "v", ALL, "w", ALL))); // only added
        assertThat(heard).isEmpty();
        users.put(user("u", "u", Map.of("/", ALL, "w", ALL)));
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).affects("v")).isTrue();
        assertThat(heard.get(0).affects("/")).isFalse();
    }

    @Test
    void openRightsFollowTheDirectoryAndADeletedUserMayDoNothing() {
        Authorization a = new Authorization();
        a.users().load(List.of(user("u", "u", Map.of("/", ALL))), Map.of());
        UserRights rights = a.rights(a.users().find("u").orElseThrow(), "/", null);
        assertThat(rights.permission()).contains(ALL);
        assertThat(rights.publishRefusal("amq.topic", ExchangeType.TOPIC, "k")).isNull();

        UserConfig withTopic = new UserConfig("u", Optional.of("u"), Optional.empty(), List.of(), false,
                Map.of("/", ALL), List.of(), Map.of("/", List.of(new TopicPermission("amq.topic", "^ok$", ".*"))));
        a.users().put(withTopic);
        assertThat(rights.publishRefusal("amq.topic", ExchangeType.TOPIC, "k")).isNotNull();
        assertThat(rights.publishRefusal("amq.topic", ExchangeType.TOPIC, "ok")).isNull();

        a.users().remove("u");
        assertThat(rights.permission()).isEmpty();
        assertThat(rights.mayRead("any/topic")).isFalse();
        assertThat(a.users().current(withTopic).acl()).extracting(AclRule::permission)
                .containsExactly(AclRule.Permission.DENY);
    }

    @Test
    void aUserAnExternalBackendMadeKeepsTheRightsItWasGiven() {
        Authorization a = new Authorization();
        a.users().load(List.of(user("u", "u", Map.of("/", ALL))), Map.of());
        // JWT and HTTP backends make users without a password or hash; a same-named file user does not apply.
        UserConfig fromToken = new UserConfig("u", Optional.empty(), Optional.empty(), List.of(), false,
                Map.of("/", READ), List.of(), Map.of());
        UserRights rights = a.rights(fromToken, "/", null);
        a.users().remove("u");
        assertThat(rights.permission()).contains(READ);
        assertThat(a.users().current(fromToken)).isSameAs(fromToken);
    }
}
