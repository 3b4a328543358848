package dev.junction.broker.ctl;

import java.io.InputStream;
import java.util.List;

/**
 * One verb being carried out: its arguments and options, the API it talks to, where it prints, and standard input
 * (for a password or a definitions file given as "-").
 */
record Call(String verb, List<String> args, CtlOptions options, ApiClient api, Output out, InputStream in) {
    String arg(int i) {
        return args.get(i);
    }

    /** The argument at {@code i}, or {@code fallback} when fewer were given. */
    String argOr(int i, String fallback) {
        return args.size() > i ? args.get(i) : fallback;
    }
}
