package dev.junction.broker.management;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a reload of the config file did: applied (the file, the users whose rights went down, the sections that
 * changed but need a restart, and what became of the {@code definitions_file}, null without one) or refused (the
 * one-line reason naming the file, line and key).
 */
public record ReloadOutcome(boolean applied, String file, List<String> usersChanged, List<String> needRestart,
        String reason, String definitions) {

    public static ReloadOutcome applied(String file, Collection<String> usersChanged, List<String> needRestart) {
        return applied(file, usersChanged, needRestart, null);
    }

    /** {@code definitions}: "imported from ..." or why the import stopped. */
    public static ReloadOutcome applied(String file, Collection<String> usersChanged, List<String> needRestart,
                                        String definitions) {
        return new ReloadOutcome(true, file, List.copyOf(usersChanged), List.copyOf(needRestart), null, definitions);
    }

    public static ReloadOutcome refused(String reason) {
        return new ReloadOutcome(false, null, List.of(), List.of(), reason, null);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("status", "ok", "file", file,
                "users_changed", usersChanged, "need_restart", needRestart));
        if (definitions != null) {
            m.put("definitions", definitions);
        }
        return m;
    }
}
