package dev.junction.broker.ctl;

/**
 * The exit codes of {@code junction ctl}, so that a script can tell a typo from a missing object from a broker that
 * is not running.
 */
public enum ExitCode {
    /** The verb did what was asked. */
    OK(0),
    /** The command line is wrong: unknown verb, option or column, missing argument. Nothing was sent. */
    USAGE(1),
    /** The broker answered and refused: no such object or endpoint, bad credentials, missing right, bad value. */
    REFUSED(2),
    /** No answer: nothing listens at the address, the name does not resolve, TLS or the request timed out. */
    UNREACHABLE(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
