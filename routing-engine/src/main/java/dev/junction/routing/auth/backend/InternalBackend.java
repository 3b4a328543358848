package dev.junction.routing.auth.backend;

import dev.junction.config.UserConfig;
import dev.junction.routing.auth.Users;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The broker's own users, with RabbitMQ's loopback-only rule: the user directory (config file and management API,
 * looked up at each login, so a user made or deleted over the API or by a reload counts at once), or a fixed list
 * for an adapter started on its own. Answers at once.
 */
public final class InternalBackend implements AuthBackend {
    private final Function<String, Optional<UserConfig>> users;

    public InternalBackend(List<UserConfig> users) {
        List<UserConfig> copy = List.copyOf(users);
        this.users = name -> copy.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public InternalBackend(Users users) {
        this.users = users::find;
    }

    @Override
    public String name() {
        return "internal";
    }

    @Override
    public boolean cacheable() {
        return false;
    }

    /**
     * A slow (PBKDF2) password hash is computed on the hash pool first ({@link UserConfig#preparePasswordCheck}), so
     * the answer may come from that pool's thread; in-memory comparisons answer at once.
     */
    @Override
    public CompletableFuture<Verdict> check(Credentials c) {
        UserConfig user = users.apply(c.userName()).orElse(null);
        if (user == null) {
            return CompletableFuture.completedFuture(Verdict.deny("invalid credentials for user '" + c.userName() + "'"));
        }
        CompletableFuture<Void> ready = user.preparePasswordCheck(c.password());
        return ready.isDone() ? CompletableFuture.completedFuture(decide(user, c))
                : ready.handle((ignored, error) -> decide(user, c));
    }

    private static Verdict decide(UserConfig user, Credentials c) {
        if (!user.checkPassword(c.password())) {
            return Verdict.deny("invalid credentials for user '" + c.userName() + "'");
        }
        if (user.loopbackOnly() && !c.fromLoopback()) {
            return Verdict.deny(dev.junction.routing.auth.Refusal.LOOPBACK_ONLY,
                    "user '" + user.name() + "' can only connect via localhost");
        }
        return Verdict.allow(user);
    }
}
