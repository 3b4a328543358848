package dev.junction.config;

/**
 * A configuration file that cannot be used. The message is always a single line,
 * {@code FILE:LINE: KEY: problem}, so an operator can jump straight to the offending spot.
 * The line part is left out when no line is known (for example an unreadable file) and the
 * key part when the problem is not about one key (for example a YAML syntax error).
 */
public class ConfigException extends Exception {

    private final String source;
    private final int line;
    private final String key;
    private final String problem;

    public ConfigException(String source, int line, String key, String problem) {
        this(source, line, key, problem, null);
    }

    public ConfigException(String source, int line, String key, String problem, Throwable cause) {
        super(format(source, line, key, problem), cause);
        this.source = source == null ? "" : source;
        this.line = Math.max(line, 0);
        this.key = key == null ? "" : key;
        this.problem = problem == null ? "" : problem;
    }

    /** The file name (or the name given to {@link ConfigLoader#parse}). */
    public String source() {
        return source;
    }

    /** 1-based line of the offending node, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** Dotted key path such as {@code listeners.amqp.port} or {@code users[1].name}; empty when not about a key. */
    public String key() {
        return key;
    }

    /** What is wrong, without the location prefix. */
    public String problem() {
        return problem;
    }

    private static String format(String source, int line, String key, String problem) {
        StringBuilder out = new StringBuilder(source == null ? "" : source);
        if (line > 0) {
            out.append(':').append(line);
        }
        out.append(": ");
        if (key != null && !key.isEmpty()) {
            out.append(key).append(": ");
        }
        // One line is the contract: a stray newline from a parser message must not break it.
        out.append(problem == null ? "" : problem.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
        return escapeControls(out.toString());
    }

    /**
     * Keys and values quoted from the file can hold any character YAML can escape ({@code "a\nb"}); written as
     * they are, a line break or a terminal escape sequence would forge log lines. Control characters (C0, DEL, C1
     * and the Unicode line and paragraph separators) are written as Java escapes instead.
     */
    static String escapeControls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029;
            if (control && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out == null) {
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (control) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
