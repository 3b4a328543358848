package dev.junction.config;

import java.nio.charset.StandardCharsets;

/** Syntax check for MQTT topic filters as written in ACL rules. */
final class TopicFilters {

    private TopicFilters() {
    }

    /** What is wrong with {@code filter}, or null when it is a valid MQTT topic filter. */
    static String problem(String filter, int maxBytes) {
        if (filter.isEmpty()) {
            return "must not be empty";
        }
        if (filter.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return "longer than " + maxBytes + " bytes";
        }
        if (filter.indexOf('\0') >= 0) {
            return "must not contain the NUL character";
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be a whole level and the last one, in " + YamlValue.quote(filter);
            }
            if (level.contains("+") && !level.equals("+")) {
                return "'+' must be a whole level, in " + YamlValue.quote(filter);
            }
        }
        return null;
    }
}
