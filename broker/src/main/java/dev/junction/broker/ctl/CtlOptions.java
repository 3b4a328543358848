package dev.junction.broker.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The command line of {@code junction ctl}: options may stand before or after the verb (as with rabbitmqctl), as
 * {@code --name value} or {@code --name=value}; {@code --} ends the options, so a password may start with a dash.
 * The first word that is not an option is the verb, the rest its arguments. A repeated option keeps its last value,
 * which lets the launcher pass a default {@code --config} that the user's own overrides.
 */
final class CtlOptions {
    /** Options that take a value. */
    private static final Set<String> VALUED = Set.of("host", "port", "user", "password", "url", "config", "vhost",
            "priority", "apply-to", "timeout");
    /** Options that are flags. */
    private static final Set<String> FLAGS = Set.of("json", "quiet", "no-headers", "if-empty", "if-unused", "help");

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> words = new ArrayList<>();

    private CtlOptions() {
    }

    static CtlOptions parse(List<String> args) throws CtlException {
        CtlOptions o = new CtlOptions();
        boolean optionsEnded = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
                o.words.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String name = arg.equals("-q") ? "quiet" : arg.equals("-h") ? "help" : arg.replaceFirst("^--", "");
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (FLAGS.contains(name) && value == null) {
                o.flags.add(name);
            } else if (VALUED.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw CtlException.usage("option --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                o.values.put(name, value);
            } else {
                throw CtlException.usage("unknown option " + arg);
            }
        }
        return o;
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** An option that must be a whole number in {@code min..max} when given. */
    Optional<Integer> number(String name, int min, int max) throws CtlException {
        Optional<String> text = value(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(text.get());
            if (n >= min && n <= max) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw CtlException.usage("--" + name + " must be a number in " + min + ".." + max + ", got '" + text.get()
                + "'");
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The verb, or empty when only options were given. */
    Optional<String> verb() {
        return words.isEmpty() ? Optional.empty() : Optional.of(words.get(0));
    }

    /** The verb's arguments, after the verb. */
    List<String> arguments() {
        return words.isEmpty() ? List.of() : words.subList(1, words.size());
    }

    /** The vhost a verb acts in: {@code --vhost}, else RabbitMQ's default "/". */
    String vhost() {
        return value("vhost").orElse("/");
    }
}
