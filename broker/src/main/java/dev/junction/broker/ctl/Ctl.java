package dev.junction.broker.ctl;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code junction ctl VERB ...}: rabbitmqctl's everyday verbs over Junction's management HTTP API, with the same
 * credentials and rights as any API client. Output is tab-separated with a header, or JSON with {@code --json};
 * errors are one line on standard error and the exit code says which kind ({@link ExitCode}).
 */
public final class Ctl {
    private static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private Ctl() {
    }

    /**
     * Runs one ctl command line (the words after {@code ctl}) and returns the exit code.
     *
     * @param defaultConfig the config file whose http listener is the default target, when it exists
     */
    public static int run(List<String> args, Path defaultConfig, InputStream in, PrintStream out, PrintStream err) {
        try {
            CtlOptions options = CtlOptions.parse(args);
            if (options.flag("help") || options.verb().filter("help"::equals).isPresent()) {
                out.print(usage());
                return ExitCode.OK.code();
            }
            if (options.verb().isEmpty()) {
                err.print(usage());
                return ExitCode.USAGE.code();
            }
            String word = options.verb().get();
            Verb verb = Verb.of(word).orElseThrow(() -> CtlException.usage("unknown verb '" + word
                    + "'; `junction ctl help` lists them"));
            verb.checkArguments(options.arguments().size());
            Endpoint endpoint = Endpoint.resolve(options, defaultConfig);
            Duration timeout = Duration.ofSeconds(options.number("timeout", 1, 3600).orElse(DEFAULT_TIMEOUT_SECONDS));
            Output output = new Output(out, options.flag("json"), options.flag("quiet"), !options.flag("no-headers"));
            verb.run(new Call(word, options.arguments(), options, new ApiClient(endpoint, timeout), output, in));
            out.flush();
            return ExitCode.OK.code();
        } catch (CtlException e) {
            out.flush();
            err.println("junction ctl: " + e.getMessage());
            return e.exitCode().code();
        }
    }

    /** The help text: every verb, the options, the exit codes. */
    static String usage() {
        StringBuilder b = new StringBuilder("usage: junction ctl [OPTIONS] VERB [ARGS]\n\nverbs:\n");
        Arrays.stream(Verb.values()).forEach(v -> b.append("  ").append(v.usage()).append('\n'));
        b.append("""

                options (before or after the verb):
                  --url URL               the broker's HTTP API, e.g. http://user:pw@127.0.0.1:15672
                  --host HOST --port N    instead of --url; default: listeners.http of --config
                  --config FILE           the config file naming the http listener (default config/junction.yaml)
                  --user U --password P   management user (default guest/guest, or JUNCTION_CTL_USER and
                                          JUNCTION_CTL_PASSWORD from the environment)
                  --vhost V               the vhost of a change (default /); filters a list (default: all vhosts)
                  --json                  JSON output for scripts; changes print nothing
                  --quiet, -q             no confirmation line after a change
                  --no-headers            tables without their header line
                  --timeout S             seconds to wait for the broker (default 60)
                  --priority N, --apply-to queues|exchanges|all   for set_policy
                  --if-empty, --if-unused                         for delete_queue

                exit codes: 0 ok, 1 usage error, 2 refused by the broker (not found, not allowed, bad value),
                            3 cannot connect
                """);
        return b.toString();
    }
}
