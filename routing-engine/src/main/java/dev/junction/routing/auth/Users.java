package dev.junction.routing.auth;

import dev.junction.config.AclRule;
import dev.junction.config.UserConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The broker's users at run time, the one place every login and every rights check asks: the users of the config
 * file and those made over the management API, in two layers ({@link UserLayers} says how they combine).
 *
 * <ul>
 *   <li>The file layer is replaced as a whole at start and on every reload; the API layer changes one user at a
 *       time, and the caller stores what {@link #put} returns so the API's users survive a restart.</li>
 *   <li>Each change bumps {@link #generation()}: a connection's {@link UserRights} sees it on its next check and
 *       takes the user's current rights, so a revoked permission applies to the next operation.</li>
 *   <li>{@link #current} tells a user of this directory (which may since have changed or been deleted) from one an
 *       external backend made (JWT, HTTP), whose rights are the backend's and are left alone.</li>
 *   <li>Watchers ({@link #watch}) hear the names whose rights a change took away or reduced, to close or re-check
 *       their connections.</li>
 * </ul>
 * Reads are lock-free over immutable snapshots; changes are serialized on this object. Thread-safe.
 */
public final class Users {
    /**
     * A user whose rights a change reduced: {@code everywhere} (deleted, a tag dropped, an ACL changed, now
     * loopback-only) or only in {@code vhosts} (a permission or topic permission there removed or changed).
     */
    public record Reduced(String user, boolean everywhere, Set<String> vhosts) {
        public Reduced {
            vhosts = Set.copyOf(vhosts);
        }

        /** Whether a connection of this user in {@code vhost} lost rights. */
        public boolean affects(String vhost) {
            return everywhere || vhosts.contains(vhost);
        }
    }

    /** What a deleted user becomes for its open connections until they close: nothing is allowed. */
    private static final List<AclRule> DENY_ALL = List.of(new AclRule(AclRule.Permission.DENY, AclRule.Action.ALL,
            "#"));

    private volatile Map<String, UserConfig> effective = Map.of();
    private Map<String, UserConfig> file = Map.of();
    private final Map<String, UserLayers.Stored> api = new LinkedHashMap<>();
    private final List<Consumer<List<Reduced>>> watchers = new CopyOnWriteArrayList<>();
    private volatile long generation;
    private volatile boolean loaded;

    /** Whether the broker has loaded the users (an adapter started on its own uses its own list instead). */
    public boolean loaded() {
        return loaded;
    }

    public Optional<UserConfig> find(String name) {
        return Optional.ofNullable(effective.get(name));
    }

    /** Every user, by name. */
    public List<UserConfig> all() {
        return effective.values().stream().sorted(Comparator.comparing(UserConfig::name)).toList();
    }

    /** Whether the config file declares a user of this name (the file's objects win at the next reload). */
    public synchronized boolean inFile(String name) {
        return file.containsKey(name);
    }

    /** Bumped by every change. */
    public long generation() {
        return generation;
    }

    /**
     * The current version of a user that logged in as {@code loggedIn}: the directory's version of that name, a user
     * allowed nothing when the name was deleted, or {@code loggedIn} itself when this directory never handed it out
     * (a user an external backend made).
     */
    public UserConfig current(UserConfig loggedIn) {
        if (!loaded || !issued(loggedIn)) {
            return loggedIn;
        }
        UserConfig now = effective.get(loggedIn.name());
        return now != null ? now : revoked(loggedIn.name());
    }

    /**
     * Whether {@code user} is one of this directory's (its rights follow later changes): the directory's users
     * always have a password or a password hash (a stored API user at least an empty hash), the users an external
     * backend makes from a token or an HTTP answer never do.
     */
    public boolean issued(UserConfig user) {
        return loaded && (user.password().isPresent() || user.passwordHash().isPresent());
    }

    /** {@code listener} gets the users whose rights a change reduced, on the changing thread. */
    public void watch(Consumer<List<Reduced>> listener) {
        watchers.add(listener);
    }

    /** At start: the API's stored users, then the file's over them. */
    public void load(List<UserConfig> fileUsers, Map<String, UserLayers.Stored> stored) {
        synchronized (this) {
            api.clear();
            api.putAll(stored);
            file = byName(fileUsers);
            publish();
            loaded = true;
        }
    }

    /** A reload: the file's users replace the previous file's; returns the users whose rights went down. */
    public List<Reduced> reloadFile(List<UserConfig> fileUsers) {
        List<Reduced> touched;
        synchronized (this) {
            Map<String, UserConfig> before = effective;
            file = byName(fileUsers);
            // A user the file deleted keeps no overlay: its API-granted extras were for the file's user.
            api.values().removeIf(s -> s.overlay() && !file.containsKey(s.user().name()));
            publish();
            touched = changed(before, effective);
        }
        tell(touched);
        return touched;
    }

    /**
     * An API change to one user (created, password, tags, permissions, topic permissions): applies at once and
     * returns what to store for it ({@link UserLayers#toStore}).
     */
    /**
     * What {@link #put} would keep of {@code user} as the API's layer, without applying it: a cluster node commits
     * this first and applies it with {@link #putStored} when the log has it (docs/cluster.md).
     */
    public synchronized UserLayers.Stored layered(UserConfig user) {
        return UserLayers.toStore(user, file.get(user.name()));
    }

    public UserLayers.Stored put(UserConfig user) {
        UserLayers.Stored stored;
        List<Reduced> touched;
        synchronized (this) {
            Map<String, UserConfig> before = effective;
            stored = UserLayers.toStore(user, file.get(user.name()));
            api.put(user.name(), stored);
            Map<String, UserConfig> next = new LinkedHashMap<>(effective);
            next.put(user.name(), user);
            install(next);
            touched = changed(before, effective);
        }
        tell(touched);
        return stored;
    }

    /**
     * A user another cluster node's API stored (docs/cluster.md): kept as this node's API layer, under this node's
     * file as at start, and applied at once.
     */
    public void putStored(UserLayers.Stored stored) {
        List<Reduced> touched;
        synchronized (this) {
            Map<String, UserConfig> before = effective;
            api.put(stored.user().name(), stored);
            publish();
            touched = changed(before, effective);
        }
        tell(touched);
    }

    /** An API delete: the user is gone until the file declares it again (next reload or start). */
    public boolean remove(String name) {
        boolean existed;
        synchronized (this) {
            api.remove(name);
            Map<String, UserConfig> next = new LinkedHashMap<>(effective);
            existed = next.remove(name) != null;
            install(next);
        }
        if (existed) {
            tell(List.of(new Reduced(name, true, Set.of())));
        }
        return existed;
    }

    private void publish() {
        Map<String, UserConfig> next = new LinkedHashMap<>();
        api.forEach((name, s) -> {
            UserConfig merged = UserLayers.merge(s, file.get(name));
            if (merged != null) {
                next.put(name, merged);
            }
        });
        file.forEach(next::putIfAbsent);
        install(next);
    }

    private void install(Map<String, UserConfig> next) {
        effective = Collections.unmodifiableMap(next);
        generation++;
    }

    private void tell(List<Reduced> reduced) {
        if (!reduced.isEmpty()) {
            watchers.forEach(w -> w.accept(reduced));
        }
    }

    /**
     * The users whose rights went down: deleted, a tag dropped, an ACL changed or now loopback-only (everywhere), or
     * a vhost permission or topic permission removed or changed (in that vhost). Rights only added reduce nothing.
     */
    private static List<Reduced> changed(Map<String, UserConfig> before, Map<String, UserConfig> after) {
        List<Reduced> out = new ArrayList<>();
        before.forEach((name, old) -> {
            UserConfig now = after.get(name);
            if (now == null || !old.acl().equals(now.acl()) || !now.tags().containsAll(old.tags())
                    || (now.loopbackOnly() && !old.loopbackOnly())) {
                out.add(new Reduced(name, true, Set.of()));
                return;
            }
            Set<String> vhosts = new LinkedHashSet<>(reduced(old.permissions(), now.permissions()));
            vhosts.addAll(reduced(old.topicPermissions(), now.topicPermissions()));
            if (!vhosts.isEmpty()) {
                out.add(new Reduced(name, false, vhosts));
            }
        });
        return out;
    }

    private static <V> Set<String> reduced(Map<String, V> before, Map<String, V> after) {
        Set<String> out = new LinkedHashSet<>();
        before.forEach((vhost, v) -> {
            if (!v.equals(after.get(vhost))) {
                out.add(vhost);
            }
        });
        return out;
    }

    private static Map<String, UserConfig> byName(List<UserConfig> users) {
        Map<String, UserConfig> m = new LinkedHashMap<>();
        users.forEach(u -> m.put(u.name(), u));
        return m;
    }

    private static UserConfig revoked(String name) {
        return new UserConfig(name, Optional.empty(), Optional.empty(), List.of(), false, Map.of(), DENY_ALL,
                Map.of());
    }
}
