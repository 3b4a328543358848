package dev.junction.routing.auth;

import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the config file's users and the API's users combine, object by object as RabbitMQ keeps them (a user, its
 * permission in each vhost, its topic permission for each exchange of a vhost):
 * <ol>
 *   <li>At start and on every reload the file wins for every object it declares: a user it names has the file's
 *       password, tags, loopback rule and ACL, and each permission it lists is the file's.</li>
 *   <li>Objects the file does not declare are the API's and persist: a user made over the API, or a permission
 *       granted over the API to a file user in a vhost the file says nothing about.</li>
 *   <li>An API change to an object the file declares applies at once and lasts until the next reload or restart;
 *       only what the file does not declare is stored ({@link #toStore}).</li>
 *   <li>A file user that the file no longer declares goes at reload, with what the API granted it.</li>
 * </ol>
 * MQTT ACLs are the file's only.
 */
public final class UserLayers {
    private UserLayers() {
    }

    /**
     * What the API keeps of one user. {@code overlay}: the user itself is the file's, and {@code user} carries only
     * the extra permissions and topic permissions the API granted it (its password and tags are not used).
     */
    public record Stored(UserConfig user, boolean overlay) {
    }

    /** The user as it applies: {@code stored} with {@code fromFile} over it; null when neither keeps it. */
    static UserConfig merge(Stored stored, UserConfig fromFile) {
        if (fromFile == null) {
            return stored.overlay() ? null : withAcl(stored.user(), List.of());
        }
        UserConfig s = stored.user();
        Map<String, VhostPermission> permissions = new LinkedHashMap<>(s.permissions());
        permissions.putAll(fromFile.permissions());
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>();
        s.topicPermissions().forEach((vhost, list) -> topics.put(vhost, new ArrayList<>(list)));
        fromFile.topicPermissions().forEach((vhost, list) -> {
            List<TopicPermission> merged = topics.computeIfAbsent(vhost, v -> new ArrayList<>());
            for (TopicPermission t : list) {
                merged.removeIf(x -> x.exchange().equals(t.exchange()));
                merged.add(t);
            }
        });
        return new UserConfig(fromFile.name(), fromFile.password(), fromFile.passwordHash(), fromFile.tags(),
                fromFile.loopbackOnly(), permissions, fromFile.acl(), topics);
    }

    /** What to store for {@code user} as the API set it, given the file's user of that name (or null). */
    static Stored toStore(UserConfig user, UserConfig fromFile) {
        if (fromFile == null) {
            return new Stored(withAcl(user, List.of()), false);
        }
        Map<String, VhostPermission> permissions = new LinkedHashMap<>(user.permissions());
        fromFile.permissions().keySet().forEach(permissions::remove);
        Map<String, List<TopicPermission>> topics = new LinkedHashMap<>();
        user.topicPermissions().forEach((vhost, list) -> {
            List<TopicPermission> extra = list.stream().filter(t -> fromFile.topicPermission(vhost, t.exchange())
                    .isEmpty()).toList();
            if (!extra.isEmpty()) {
                topics.put(vhost, extra);
            }
        });
        return new Stored(new UserConfig(user.name(), Optional.empty(), Optional.empty(), List.of(), false,
                permissions, List.of(), topics), true);
    }

    private static UserConfig withAcl(UserConfig u, List<dev.junction.config.AclRule> acl) {
        return new UserConfig(u.name(), u.password(), u.passwordHash(), u.tags(), u.loopbackOnly(), u.permissions(),
                acl, u.topicPermissions());
    }
}
