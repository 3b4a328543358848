package dev.junction.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One node of the file together with its key path, so that every conversion failure can say
 * where it happened. Scalars are read from the text as written rather than from SnakeYAML's
 * YAML 1.1 type guess: {@code password: 0x1F} stays "0x1F" and {@code port: "5672"} is still a port.
 */
final class YamlValue {

    // Decimal only; a leading zero would be octal in YAML 1.1, which nobody means in a port number.
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9_]*)");
    private static final Set<String> TRUE = Set.of("true", "yes", "on");
    private static final Set<String> FALSE = Set.of("false", "no", "off");
    private static final int SHOWN_CHARS = 60;

    private final Node node;
    private final String path;
    private final String source;
    private final ConfigProblems problems;

    YamlValue(Node node, String path, String source, ConfigProblems problems) {
        this.node = node;
        this.path = path;
        this.source = source;
        this.problems = problems;
    }

    Node node() {
        return node;
    }

    String path() {
        return path;
    }

    String source() {
        return source;
    }

    /** Where problems found below this node go. */
    ConfigProblems problems() {
        return problems;
    }

    int line() {
        return lineOf(node);
    }

    static int lineOf(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** {@code ~}, {@code null} or nothing at all; quoted "null" is a string. */
    boolean isNull() {
        return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
    }

    ConfigException error(String problem) {
        return new ConfigException(source, line(), path, problem);
    }

    String asString() throws ConfigException {
        return scalarText("a string");
    }

    String asNonEmptyString() throws ConfigException {
        String text = asString();
        if (text.isEmpty()) {
            throw error("must not be empty");
        }
        return text;
    }

    int asInt(int min, int max) throws ConfigException {
        return (int) asLong(min, max);
    }

    long asLong(long min, long max) throws ConfigException {
        String text = scalarText("an integer");
        if (!DECIMAL.matcher(text).matches()) {
            throw error("expected an integer, got " + quote(text));
        }
        BigInteger value = new BigInteger(text.replace("_", ""));
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error(text + " is out of range (" + min + ".." + max + ")");
        }
        return value.longValue();
    }

    boolean asBoolean() throws ConfigException {
        String text = scalarText("true or false");
        String lower = text.toLowerCase(Locale.ROOT);
        if (TRUE.contains(lower)) {
            return true;
        }
        if (FALSE.contains(lower)) {
            return false;
        }
        throw error("expected true or false, got " + quote(text));
    }

    /** Case-insensitive match against the constants' names, reported in lower case. */
    <E extends Enum<E>> E asEnum(Class<E> type) throws ConfigException {
        E[] constants = type.getEnumConstants();
        List<String> names = Arrays.stream(constants).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        String text = scalarText("one of " + String.join(", ", names));
        int index = names.indexOf(text.toLowerCase(Locale.ROOT));
        if (index < 0) {
            throw error("expected one of " + String.join(", ", names) + ", got " + quote(text));
        }
        return constants[index];
    }

    /** One of a fixed set of lower-case words; returns it in lower case. */
    String asChoice(Collection<String> choices) throws ConfigException {
        String text = scalarText("one of " + String.join(", ", choices));
        String lower = text.toLowerCase(Locale.ROOT);
        if (!choices.contains(lower)) {
            throw error("expected one of " + String.join(", ", choices) + ", got " + quote(text));
        }
        return lower;
    }

    /** A null value is an empty list; anything but a sequence is an error. */
    List<YamlValue> asList() throws ConfigException {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error("expected a list, got " + describe());
        }
        List<YamlValue> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            items.add(new YamlValue(item, path + "[" + items.size() + "]", source, problems));
        }
        return items;
    }

    List<String> asStringList() throws ConfigException {
        List<String> out = new ArrayList<>();
        for (YamlValue item : asList()) {
            out.add(item.asNonEmptyString());
        }
        return out;
    }

    /** @param allowedKeys the keys this mapping may hold, or null when any key is allowed */
    YamlMapping asMapping(Collection<String> allowedKeys) throws ConfigException {
        return YamlMapping.of(this, allowedKeys);
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    String describe() {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull()) {
            return "nothing";
        }
        return quote(((ScalarNode) node).getValue());
    }

    static String quote(String text) {
        String shown = text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
        return "'" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'";
    }

    static String listOf(Collection<String> names) {
        return names.stream().collect(Collectors.joining(", "));
    }

    private String scalarText(String expected) throws ConfigException {
        if (node instanceof ScalarNode scalar && !isNull()) {
            return scalar.getValue();
        }
        throw error("expected " + article(expected) + ", got " + describe());
    }

    private static String article(String expected) {
        return expected.startsWith("a ") || expected.startsWith("an ") || expected.startsWith("one of")
                || expected.startsWith("true") ? expected : "a " + expected;
    }
}
