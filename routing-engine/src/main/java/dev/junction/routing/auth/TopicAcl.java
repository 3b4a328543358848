package dev.junction.routing.auth;

import dev.junction.config.AclRule;
import dev.junction.routing.topic.TopicPattern;
import java.util.ArrayList;
import java.util.List;

/**
 * One user's MQTT topic ACL, compiled for one client: {@code %u} and {@code %c} are filled in once, and each rule is
 * a {@link TopicPattern}. Rules are tried in order and the first whose action covers the request and whose filter
 * matches decides; a user without rules may do anything, a user with rules none of which matches may not.
 *
 * <p>Rules:
 * <ul>
 *   <li>A publish is checked against the concrete topic.</li>
 *   <li>A subscription is judged by the set of topics its filter can match ({@link #subscribe}), not by its text:
 *       {@code #} under {@code deny secret/#, allow #} matches both allowed and denied topics, so it is
 *       {@link Coverage#PARTIAL}, and every message delivered through it must pass {@link #mayRead}.</li>
 *   <li>A value of {@code %u} or {@code %c} that would itself be a wildcard or level separator ({@code +},
 *       {@code #}, {@code /}) or is empty disables an allow rule, so a client id cannot widen it, and widens a
 *       deny rule to {@code #} from the level of the variable, so a client id cannot escape it.</li>
 * </ul>
 */
public final class TopicAcl {
    private static final TopicAcl OPEN = new TopicAcl(null, null, null);

    private final List<TopicSets.Rule> publish;
    private final List<TopicSets.Rule> read;
    /** Each publish rule as written, for log lines ({@link #publishRule}). */
    private final List<String> publishText;

    private TopicAcl(List<TopicSets.Rule> publish, List<TopicSets.Rule> read, List<String> publishText) {
        this.publish = publish;
        this.read = read;
        this.publishText = publishText;
    }

    /** The rules of a user for one client id ({@code clientId} may be null where there is none, as over AMQP). */
    public static TopicAcl of(List<AclRule> rules, String userName, String clientId) {
        if (rules.isEmpty()) {
            return OPEN;
        }
        List<TopicSets.Rule> publish = new ArrayList<>();
        List<TopicSets.Rule> read = new ArrayList<>();
        List<String> publishText = new ArrayList<>();
        for (AclRule rule : rules) {
            boolean allow = rule.permission() == AclRule.Permission.ALLOW;
            String filter = substitute(rule.topic(), clientId, userName, allow);
            if (filter == null) {
                continue;
            }
            TopicPattern pattern;
            try {
                pattern = TopicPattern.mqtt(filter);
            } catch (IllegalArgumentException e) {
                continue; // the config reader checked the rule; only a substituted value can get here
            }
            TopicSets.Rule compiled = new TopicSets.Rule(pattern, allow);
            if (rule.covers(AclRule.Action.PUBLISH)) {
                publish.add(compiled);
                publishText.add("'" + rule.permission().name().toLowerCase(java.util.Locale.ROOT) + " "
                        + rule.action().name().toLowerCase(java.util.Locale.ROOT) + " " + rule.topic() + "'");
            }
            if (rule.covers(AclRule.Action.SUBSCRIBE)) {
                read.add(compiled);
            }
        }
        return new TopicAcl(List.copyOf(publish), List.copyOf(read), List.copyOf(publishText));
    }

    /** Whether no rule restricts this user. */
    public boolean open() {
        return publish == null;
    }

    /** Whether the user may publish to the concrete MQTT topic {@code topic}. */
    public boolean mayPublish(String topic) {
        return publish == null || decide(publish, MqttTopics.levels(topic));
    }

    /**
     * The rule that decides a publish to {@code topic}, as written ({@code 'deny all secret/#'}), or
     * {@code none matched} when no rule matches (denied); null without rules. For log lines.
     */
    public String publishRule(String topic) {
        if (publish == null) {
            return null;
        }
        List<String> levels = MqttTopics.levels(topic);
        for (int i = 0; i < publish.size(); i++) {
            if (TopicSets.matches(publish.get(i).pattern(), levels)) {
                return publishText.get(i);
            }
        }
        return "none matched";
    }

    /** Whether a message on the concrete MQTT topic {@code topic} may be delivered to the user. */
    public boolean mayRead(String topic) {
        return read == null || decide(read, MqttTopics.levels(topic));
    }

    /** How much of what {@code filter} matches the user may read. */
    public Coverage subscribe(TopicPattern filter) {
        return read == null ? Coverage.ALL : TopicSets.coverage(filter, read);
    }

    private static boolean decide(List<TopicSets.Rule> rules, List<String> levels) {
        for (TopicSets.Rule r : rules) {
            if (TopicSets.matches(r.pattern(), levels)) {
                return r.allow();
            }
        }
        return false;
    }

    /**
     * The rule's filter with {@code %c} and {@code %u} filled in, level by level and in one pass (a value is never
     * substituted into again). A value that is not a plain topic level (empty, or holding '+', '#' or '/') cannot be
     * put in: an allow rule is then dropped (it could otherwise widen, e.g. reach another client's levels), and a
     * deny rule is widened to {@code #} from the level holding the variable (dropping it would grant what it
     * denies). Null when the rule is dropped.
     */
    private static String substitute(String pattern, String clientId, String userName, boolean allow) {
        if (!pattern.contains("%c") && !pattern.contains("%u")) {
            return pattern;
        }
        String[] levels = pattern.split("/", -1);
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (i > 0) {
                out.append('/');
            }
            if ((level.contains("%c") && unsafe(clientId)) || (level.contains("%u") && unsafe(userName))) {
                return allow ? null : out.append('#').toString();
            }
            for (int j = 0; j < level.length(); j++) {
                char ch = level.charAt(j);
                if (ch == '%' && j + 1 < level.length() && (level.charAt(j + 1) == 'c' || level.charAt(j + 1) == 'u')) {
                    out.append(level.charAt(j + 1) == 'c' ? clientId : userName);
                    j++;
                } else {
                    out.append(ch);
                }
            }
        }
        return out.toString();
    }

    private static boolean unsafe(String v) {
        return v == null || v.isEmpty() || v.indexOf('+') >= 0 || v.indexOf('#') >= 0 || v.indexOf('/') >= 0;
    }
}
