package dev.junction.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping whose keys have already been checked: no unknown keys, no duplicates (SnakeYAML's
 * composer lets duplicates through, and a silently ignored duplicate is a classic config bug).
 * A key whose value is null counts as absent, so {@code storage:} with every line commented out
 * simply means "all defaults". An absent section is represented by an empty mapping that reports
 * problems at the line of its parent.
 *
 * <p>When its {@link ConfigProblems} collect, an unknown or duplicate key is recorded and skipped, and a bad value
 * of a key that has a default is recorded and read as the default, so that reading goes on to the next problem.
 */
final class YamlMapping {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final String source;
    private final String path;
    private final int line;
    private final ConfigProblems problems;
    private final Map<String, YamlValue> values = new LinkedHashMap<>();
    private final Map<String, Integer> keyLines = new LinkedHashMap<>();

    private YamlMapping(String source, String path, int line, ConfigProblems problems) {
        this.source = source;
        this.path = path;
        this.line = line;
        this.problems = problems;
    }

    static YamlMapping empty(String source, String path, int line, ConfigProblems problems) {
        return new YamlMapping(source, path, line, problems);
    }

    static YamlMapping of(YamlValue value, Collection<String> allowedKeys) throws ConfigException {
        ConfigProblems problems = value.problems();
        YamlMapping mapping = new YamlMapping(value.source(), value.path(), value.line(), problems);
        if (value.isNull()) {
            return mapping;
        }
        if (!(value.node() instanceof MappingNode node)) {
            throw value.error("expected a mapping, got " + value.describe());
        }
        for (NodeTuple tuple : node.getValue()) {
            int keyLine = YamlValue.lineOf(tuple.getKeyNode());
            if (Tag.MERGE.equals(tuple.getKeyNode().getTag())) {
                throw new ConfigException(value.source(), keyLine, value.path(), "merge keys (<<) are not supported");
            }
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new ConfigException(value.source(), keyLine, value.path(), "a key must be plain text");
            }
            String key = keyNode.getValue();
            String childPath = join(value.path(), key);
            if (allowedKeys != null && !allowedKeys.contains(key)) {
                problems.report(new ConfigException(value.source(), keyLine, childPath,
                        "unknown key (expected one of " + YamlValue.listOf(allowedKeys) + ")"));
                continue;
            }
            Integer first = mapping.keyLines.putIfAbsent(key, keyLine);
            if (first != null) {
                problems.report(new ConfigException(value.source(), keyLine, childPath,
                        "duplicate key (first given at line " + first + ")"));
                continue;
            }
            mapping.values.put(key, new YamlValue(tuple.getValueNode(), childPath, value.source(), problems));
        }
        return mapping;
    }

    static String join(String parent, String key) {
        String child = PLAIN_KEY.matcher(key).matches() ? key : "\"" + key.replace("\"", "\\\"") + "\"";
        if (parent.isEmpty()) {
            return child;
        }
        return PLAIN_KEY.matcher(key).matches() ? parent + "." + child : parent + "[" + child + "]";
    }

    String source() {
        return source;
    }

    ConfigProblems problems() {
        return problems;
    }

    String path() {
        return path;
    }

    /** Line of the mapping itself (or of its parent, for an absent section). */
    int line() {
        return line;
    }

    /** Keys in file order, including those whose value is null. */
    Set<String> keys() {
        return keyLines.keySet();
    }

    /** The value, unless the key is absent or null. */
    Optional<YamlValue> get(String key) {
        YamlValue value = values.get(key);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    boolean has(String key) {
        return get(key).isPresent();
    }

    String pathOf(String key) {
        return join(path, key);
    }

    /** Line of the key's value when given, else of this mapping. */
    int lineOf(String key) {
        return get(key).map(YamlValue::line).orElse(line);
    }

    /** Line of the key itself; for problems with the key rather than its value. */
    int keyLine(String key) {
        return keyLines.getOrDefault(key, line);
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(source, lineOf(key), pathOf(key), problem);
    }

    ConfigException errorAtKey(String key, String problem) {
        return new ConfigException(source, keyLine(key), pathOf(key), problem);
    }

    /** A nested section; absent means an empty one, so every key in it takes its default. */
    YamlMapping section(String key, List<String> allowedKeys) throws ConfigException {
        Optional<YamlValue> value = get(key);
        YamlMapping absent = empty(source, pathOf(key), keyLine(key), problems);
        return value.isPresent() ? orDefault(() -> value.get().asMapping(allowedKeys), absent) : absent;
    }

    String string(String key, String defaultValue) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(value.get()::asString, defaultValue) : defaultValue;
    }

    String nonEmptyString(String key, String defaultValue) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(value.get()::asNonEmptyString, defaultValue) : defaultValue;
    }

    Optional<String> optionalString(String key) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(() -> Optional.of(value.get().asString()), Optional.empty())
                : Optional.empty();
    }

    int integer(String key, int defaultValue, int min, int max) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(() -> value.get().asInt(min, max), defaultValue) : defaultValue;
    }

    long longInteger(String key, long defaultValue, long min, long max) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(() -> value.get().asLong(min, max), defaultValue) : defaultValue;
    }

    boolean bool(String key, boolean defaultValue) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(value.get()::asBoolean, defaultValue) : defaultValue;
    }

    <E extends Enum<E>> E enumValue(String key, E defaultValue, Class<E> type) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(() -> value.get().asEnum(type), defaultValue) : defaultValue;
    }

    String choice(String key, String defaultValue, List<String> choices) throws ConfigException {
        Optional<YamlValue> value = get(key);
        return value.isPresent() ? orDefault(() -> value.get().asChoice(choices), defaultValue) : defaultValue;
    }

    /**
     * The value {@code read} gives; on a problem, {@code fallback} once the problem is recorded. A key without a
     * default ({@code fallback} null) has nothing to go on with, so its problem is thrown to the enclosing item.
     */
    private <T> T orDefault(ConfigProblems.Step<T> read, T fallback) throws ConfigException {
        return fallback == null ? read.read() : problems.recover(read, fallback);
    }
}
