package dev.junction.routing.auth.backend;

import dev.junction.config.UserConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The users of the config file, with RabbitMQ's loopback-only rule. Answers at once. */
public final class InternalBackend implements AuthBackend {
    private final List<UserConfig> users;

    public InternalBackend(List<UserConfig> users) {
        this.users = List.copyOf(users);
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
        UserConfig user = users.stream().filter(u -> u.name().equals(c.userName())).findFirst().orElse(null);
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
            return Verdict.deny("user '" + user.name() + "' can only connect via localhost");
        }
        return Verdict.allow(user);
    }
}
