package dev.junction.conformance.management;

import dev.junction.broker.ctl.Ctl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code junction ctl} called in this JVM against a test broker, with standard input given and standard output and
 * error captured; the broker's http port and a user are put in front of the test's own arguments.
 */
final class CtlClient {
    /** What one command printed and returned. */
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private final int port;
    private final String user;

    CtlClient(int port, String user) {
        this.port = port;
        this.user = user;
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result runWithInput(String stdin, String... args) {
        List<String> line = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
                "--user", user, "--password", "pw"));
        line.addAll(List.of(args));
        return raw(stdin, line);
    }

    /** Exactly {@code args}, with no connection options added. */
    static Result raw(String stdin, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Ctl.run(args, null, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
