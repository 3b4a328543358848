package dev.junction.config;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a user may do inside one vhost, in RabbitMQ's form: three regular expressions matched
 * against resource (exchange / queue) names. As in RabbitMQ the match is unanchored
 * ({@link java.util.regex.Matcher#find()}), so write {@code ^amq\.gen} to anchor.
 *
 * <p>An empty expression grants nothing; it is stored as a pattern that never matches, so a caller
 * that uses the raw {@link Pattern} with either {@code find()} or {@code matches()} cannot
 * accidentally grant everything. Check the default exchange under the name {@code amq.default}.
 */
public record VhostPermission(Pattern configure, Pattern write, Pattern read) {

    private static final String NOTHING = "(?!)";

    public VhostPermission {
        Objects.requireNonNull(configure, "configure");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(read, "read");
    }

    /** Compiles three RabbitMQ-style expressions; "" means nothing. */
    public static VhostPermission of(String configure, String write, String read) {
        return new VhostPermission(compile(configure), compile(write), compile(read));
    }

    /** Everything: {@code .*} for all three. */
    public static VhostPermission all() {
        return of(".*", ".*", ".*");
    }

    /** @throws PatternSyntaxException when the expression is not a valid regular expression */
    static Pattern compile(String expression) {
        Objects.requireNonNull(expression, "expression");
        return Pattern.compile(expression.isEmpty() ? NOTHING : expression);
    }

    public boolean canConfigure(String resource) {
        return configure.matcher(resource).find();
    }

    public boolean canWrite(String resource) {
        return write.matcher(resource).find();
    }

    public boolean canRead(String resource) {
        return read.matcher(resource).find();
    }

    // Pattern has identity equality; compare what was written so equal files give equal configs.
    @Override
    public boolean equals(Object other) {
        return other instanceof VhostPermission that
                && same(configure, that.configure) && same(write, that.write) && same(read, that.read);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configure.pattern(), configure.flags(), write.pattern(), write.flags(),
                read.pattern(), read.flags());
    }

    @Override
    public String toString() {
        return "VhostPermission[configure=" + configure + ", write=" + write + ", read=" + read + "]";
    }

    private static boolean same(Pattern a, Pattern b) {
        return a.pattern().equals(b.pattern()) && a.flags() == b.flags();
    }
}
