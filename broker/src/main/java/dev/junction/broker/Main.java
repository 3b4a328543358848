package dev.junction.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.junction.broker.ctl.Ctl;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.PasswordHash;
import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import dev.junction.storage.HeapBudget;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code junction [--config FILE]} runs the broker, {@code junction check-config FILE}
 * validates a file, {@code junction hash-password [PASSWORD]} prints a value for {@code password_hash},
 * {@code junction ctl VERB ...} talks to a running broker over its management API, {@code junction --version}
 * prints the version.
 */
public final class Main {
    static final String DEFAULT_CONFIG = "config/junction.yaml";
    private static final String USAGE = "usage: junction [--config FILE] | check-config FILE"
            + " | hash-password [--iterations N] [PASSWORD] | ctl VERB [ARGS] | --version";
    /** How long a stop waits for a start in progress to end (reading back a large store takes a while). */
    private static final java.time.Duration STOP_WAITS_FOR_START = java.time.Duration.ofSeconds(60);

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs one command with nothing on standard input; returns the process exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    /** Runs one command; returns the process exit code. Serving blocks until the JVM is asked to stop. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length >= 1 && args[0].equals("check-config")) {
            if (args.length != 2) {
                err.println("usage: junction check-config FILE");
                return 2;
            }
            return checkConfig(Path.of(args[1]), out, err);
        }
        if (args.length >= 1 && args[0].equals("hash-password")) {
            return hashPassword(args, in, out, err);
        }
        if (args.length >= 1 && args[0].equals("ctl")) {
            return Ctl.run(List.of(args).subList(1, args.length), Path.of(DEFAULT_CONFIG), in, out, err);
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("version"))) {
            out.println("Junction " + Version.current());
            return 0;
        }
        if (args.length >= 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Path configFile = Path.of(DEFAULT_CONFIG);
        if (args.length == 2 && args[0].equals("--config")) {
            configFile = Path.of(args[1]);
        } else if (args.length != 0) {
            err.println("junction: unknown arguments; " + USAGE);
            return 2;
        }
        JunctionConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            err.println("junction: " + e.getMessage());
            return 1;
        }
        return serve(config, configFile, err);
    }

    /**
     * {@code hash-password [--scram-sha-256|--scram-sha-512] [--iterations N] [PASSWORD]}: a PBKDF2-HMAC-SHA512
     * value for users[].password_hash, or with a SCRAM option a SCRAM secret, which is a password hash too and also
     * serves MQTT 5 SCRAM logins. Without PASSWORD it is read from standard input (without echo on a terminal), so
     * that it is not kept in the shell history or shown in the process list.
     */
    static int hashPassword(String[] args, InputStream in, PrintStream out, PrintStream err) {
        List<String> rest = List.of(args).subList(1, args.length);
        ScramMechanism scram = !rest.isEmpty() && rest.get(0).startsWith("--scram-") ? ScramMechanism.bySaslName(
                rest.get(0).substring(2).toUpperCase(java.util.Locale.ROOT)).orElse(null) : null;
        if (scram != null) {
            rest = rest.subList(1, rest.size());
        }
        int min = scram == null ? PasswordHash.MIN_ITERATIONS : ScramSecret.MIN_ITERATIONS;
        String usage = "usage: junction hash-password [--scram-sha-256|--scram-sha-512] [--iterations N] [PASSWORD]"
                + " (N in " + PasswordHash.MIN_ITERATIONS + ".." + PasswordHash.MAX_ITERATIONS + ", default "
                + PasswordHash.DEFAULT_ITERATIONS + "; with SCRAM " + ScramSecret.MIN_ITERATIONS + ".."
                + PasswordHash.MAX_ITERATIONS + ", default " + ScramSecret.DEFAULT_ITERATIONS
                + "; without PASSWORD it is read from standard input)";
        int iterations = scram == null ? PasswordHash.DEFAULT_ITERATIONS : ScramSecret.DEFAULT_ITERATIONS;
        if (!rest.isEmpty() && rest.get(0).equals("--iterations")) {
            try {
                iterations = rest.size() >= 2 ? Integer.parseInt(rest.get(1)) : -1;
            } catch (NumberFormatException e) {
                iterations = -1;
            }
            if (iterations < min || iterations > PasswordHash.MAX_ITERATIONS) {
                err.println(usage);
                return 2;
            }
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() > 1 || (rest.size() == 1 && rest.get(0).startsWith("--"))) {
            err.println(usage);
            return 2;
        }
        String password = rest.isEmpty() ? readPassword(in) : rest.get(0);
        if (password == null || password.isEmpty()) {
            err.println("junction: hash-password: no password on standard input; " + usage);
            return 2;
        }
        out.println(scram == null ? PasswordHash.create(password, iterations)
                : ScramSecret.create(scram, password, iterations));
        return 0;
    }

    /** The first line of {@code in}; from the terminal itself, without echo, when {@code in} is the console. */
    private static String readPassword(InputStream in) {
        Console console = System.console();
        if (in == System.in && console != null) {
            char[] typed = console.readPassword("Password: ");
            return typed == null ? null : new String(typed);
        }
        try {
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reports every problem of the file, one line each in file order, so that one run finds them all; a file
     * without any is then checked as the broker would start it (TLS contexts built, which finds what only the TLS
     * provider can judge, such as a cipher it lacks).
     */
    static int checkConfig(Path file, PrintStream out, PrintStream err) {
        List<ConfigException> problems = ConfigLoader.check(file);
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println(p.getMessage()));
            return 1;
        }
        try {
            ServerTls.checkAll(ConfigLoader.load(file));
            out.println(file + ": ok");
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private static int serve(JunctionConfig config, Path configFile, PrintStream err) {
        applyLogLevel(config.logging().level());
        dev.junction.broker.logging.LogOutputs.apply(config.logging());
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Broker> running = new java.util.concurrent.atomic.AtomicReference<>();
        // Registered before anything starts, so a SIGTERM that arrives while the listeners are coming up still
        // stops the broker cleanly (listeners, drain, store) rather than halting the JVM around it.
        StartStopTurn turn = StartStopTurn.forCurrentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (turn.awaitStopTurn(STOP_WAITS_FOR_START)) {
                    try {
                        Broker broker = running.getAndSet(null);
                        if (broker != null) {
                            broker.close();
                        }
                    } finally {
                        turn.end();
                    }
                } else {
                    LoggerFactory.getLogger(Main.class).warn("stopping while the start still runs: the broker is"
                            + " not closed (its store recovers at the next start)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "junction-shutdown"));
        turn.begin();
        try {
            try {
                running.set(Broker.start(config));
                running.get().configFile(configFile);
            } catch (ListenerBindException e) {
                // One line, no stack trace: the listener and port say all there is to fix.
                err.println("junction: could not start: " + e.getMessage());
                return 1;
            } catch (HeapBudget.HeapTooSmallException e) {
                // One line (not also logged): the operator needs the size, not a stack trace.
                err.println("junction: could not start: " + e.getMessage());
                return 1;
            } catch (ConfigException e) {
                // A TLS file that changed or broke between reading the config and starting the listener, or a
                // definitions_file that is not JSON or that the import refuses: one line naming the file.
                err.println("junction: " + e.getMessage());
                return 1;
            } catch (Exception e) {
                err.println("junction: could not start: " + e);
                LoggerFactory.getLogger(Main.class).error("start failed", e);
                return 1;
            }
        } finally {
            turn.end();
        }
        reloadOnHangup(running);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * SIGHUP re-reads the config file (users, permissions, ACLs, quotas, log level; see {@code ConfigReload}) and the
     * TLS listeners' certificate, key and CA files, as Mosquitto and nginx do. It never stops the broker: a bad file
     * keeps the running configuration and logs one line. Where the JVM cannot take the signal (Windows,
     * {@code -Xrs}) only {@code POST /api/reload} and the periodic TLS check remain.
     */
    private static void reloadOnHangup(java.util.concurrent.atomic.AtomicReference<Broker> running) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                Broker broker = running.get();
                if (broker != null) {
                    try {
                        broker.reload();
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(Main.class).warn("reload on SIGHUP failed; the broker goes on", e);
                    }
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LoggerFactory.getLogger(Main.class).info("SIGHUP is not available ({}); reload with POST /api/reload,"
                    + " TLS files are also reloaded by the periodic check", e.getMessage());
        }
    }

    private static void applyLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
