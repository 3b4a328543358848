package dev.junction.broker.ctl;

/** A verb that could not be carried out; the message is the one line printed to standard error. */
class CtlException extends Exception {
    private final ExitCode exitCode;

    CtlException(ExitCode exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CtlException usage(String message) {
        return new CtlException(ExitCode.USAGE, message);
    }

    static CtlException refused(String message) {
        return new CtlException(ExitCode.REFUSED, message);
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
