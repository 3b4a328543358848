package dev.junction.broker.management;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a reload of the config file did: applied (the file, the users whose rights went down, the sections that
 * changed but need a restart) or refused (the one-line reason naming the file, line and key).
 */
public record ReloadOutcome(boolean applied, String file, List<String> usersChanged, List<String> needRestart,
        String reason) {

    public static ReloadOutcome applied(String file, Collection<String> usersChanged, List<String> needRestart) {
        return new ReloadOutcome(true, file, List.copyOf(usersChanged), List.copyOf(needRestart), null);
    }

    public static ReloadOutcome refused(String reason) {
        return new ReloadOutcome(false, null, List.of(), List.of(), reason);
    }

    Map<String, Object> json() {
        return Map.of("status", "ok", "file", file, "users_changed", usersChanged, "need_restart", needRestart);
    }
}
