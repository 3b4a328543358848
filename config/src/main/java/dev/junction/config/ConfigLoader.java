package dev.junction.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads the broker's YAML configuration into a validated, immutable {@link JunctionConfig}.
 * Missing keys take their defaults, unknown keys and bad values are errors, and every error is a
 * {@link ConfigException} whose message is one line naming the file, line and key.
 */
public final class ConfigLoader {

    private static final String DEFAULTS_SOURCE = "<defaults>";
    private static final int MAX_FILE_CHARS = 1 << 20;

    private ConfigLoader() {
    }

    /** Reads and validates {@code file}; errors name the file as given. UTF-8 is required. */
    public static JunctionConfig load(Path file) throws ConfigException {
        String source = file.toString();
        return parse(readText(file, source), source);
    }

    private static String readText(Path file, String source) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, 0, "", "file not found", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(source, 0, "", "permission denied", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, 0, "", "not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(source, 0, "", "cannot read: " + e, e);
        }
        return text;
    }

    /** Validates YAML text; {@code sourceName} is what error messages call the file. */
    public static JunctionConfig parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, ConfigProblems.failFast());
    }

    private static JunctionConfig parse(String yaml, String sourceName, ConfigProblems problems)
            throws ConfigException {
        String text = yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml;
        if (text.length() > MAX_FILE_CHARS) {
            throw new ConfigException(sourceName, 0, "", "file is larger than " + MAX_FILE_CHARS + " characters");
        }
        return ConfigReader.read(compose(text, sourceName), sourceName, problems);
    }

    /**
     * Every problem of {@code file}, one exception each, in the order of their lines; empty when the file is valid.
     * Where {@link #load} stops at the first problem, this reads on past each one (a bad value counts as its
     * default, a bad list item or section is skipped), as {@code check-config} needs. A YAML syntax error still
     * ends the reading: nothing after it can be trusted.
     */
    public static List<ConfigException> check(Path file) {
        String source = file.toString();
        ConfigProblems problems = ConfigProblems.collecting();
        try {
            parse(readText(file, source), source, problems);
        } catch (ConfigException e) {
            // The first problem, thrown once the reading is done, or one with no way around it that ended it.
            problems.add(e);
        } catch (RuntimeException e) {
            // Reading on past a problem met something a fail-fast read never reaches: report what stopping gives.
            try {
                load(file);
            } catch (ConfigException first) {
                return List.of(first);
            }
        }
        return problems.inFileOrder();
    }

    /** The configuration an empty file gives. */
    public static JunctionConfig defaults() {
        try {
            return ConfigReader.read(null, DEFAULTS_SOURCE);
        } catch (ConfigException e) {
            throw new IllegalStateException("built-in defaults are invalid: " + e.getMessage(), e);
        }
    }

    private static Node compose(String text, String source) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_FILE_CHARS);
        options.setProcessComments(false);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
            int line = mark == null ? 0 : mark.getLine() + 1;
            // An unclosed quote or bracket is found far from where it was opened; say where that was.
            String context = "";
            if (e.getProblem() != null && e.getContext() != null && e.getContextMark() != null
                    && e.getContextMark().getLine() + 1 != line) {
                context = " (" + e.getContext() + " started at line " + (e.getContextMark().getLine() + 1) + ")";
            }
            throw new ConfigException(source, line, "",
                    "invalid YAML: " + (problem == null ? "syntax error" : problem) + context, e);
        } catch (YAMLException e) {
            throw new ConfigException(source, 0, "", "invalid YAML: " + e.getMessage(), e);
        }
    }
}
