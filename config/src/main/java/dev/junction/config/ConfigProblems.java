package dev.junction.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where the readers put what is wrong with a file. Starting the broker fails fast: the first problem is thrown
 * as soon as it is found, exactly as before this class existed. {@code check-config} collects instead: a reader
 * that finds a problem records it and carries on with the key's default, the next list item or the next section, so
 * that one run reports every problem and the operator need not fix them one restart at a time.
 *
 * <p>Recovery happens only where a fallback cannot invent new problems: a key with a default, an item of a list,
 * a whole section. A required key without a default stops its enclosing item or section.
 */
final class ConfigProblems {
    /** A reading step that may find a problem. */
    @FunctionalInterface
    interface Step<T> {
        T read() throws ConfigException;
    }

    private final boolean collect;
    private final List<ConfigException> found = new ArrayList<>();

    private ConfigProblems(boolean collect) {
        this.collect = collect;
    }

    /** Throws the first problem found: what starting the broker needs. */
    static ConfigProblems failFast() {
        return new ConfigProblems(false);
    }

    /** Records every problem: what {@code check-config} needs. */
    static ConfigProblems collecting() {
        return new ConfigProblems(true);
    }

    /** Records {@code problem} when collecting; throws it when failing fast. */
    void report(ConfigException problem) throws ConfigException {
        if (!collect) {
            throw problem;
        }
        add(problem);
    }

    /** Records {@code problem} unless the same one (same message) is already recorded. */
    void add(ConfigException problem) {
        if (found.stream().noneMatch(p -> p.getMessage().equals(problem.getMessage()))) {
            found.add(problem);
        }
    }

    /**
     * The step's result; when it finds a problem and this collects, the problem is recorded and {@code fallback}
     * returned.
     */
    <T> T recover(Step<T> step, T fallback) throws ConfigException {
        try {
            return step.read();
        } catch (ConfigException e) {
            report(e);
            return fallback;
        }
    }

    /** Throws the first problem recorded, if any: a config with problems is never built. */
    void throwFirst() throws ConfigException {
        if (!found.isEmpty()) {
            throw found.get(0);
        }
    }

    /** Every problem recorded, in the order of their lines in the file (those without a line first). */
    List<ConfigException> inFileOrder() {
        List<ConfigException> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(ConfigException::line));
        return sorted;
    }
}
