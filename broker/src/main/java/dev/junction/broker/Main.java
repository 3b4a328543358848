package dev.junction.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.PasswordHash;
import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import dev.junction.storage.HeapBudget;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code junction [--config FILE]} runs the broker, {@code junction check-config FILE}
 * validates a file, {@code junction hash-password PASSWORD} prints a value for {@code password_hash}.
 */
public final class Main {
    static final String DEFAULT_CONFIG = "config/junction.yaml";

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs one command; returns the process exit code. Serving blocks until the JVM is asked to stop. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length >= 1 && args[0].equals("check-config")) {
            if (args.length != 2) {
                err.println("usage: junction check-config FILE");
                return 2;
            }
            return checkConfig(Path.of(args[1]), out, err);
        }
        if (args.length >= 1 && args[0].equals("hash-password")) {
            return hashPassword(args, out, err);
        }
        if (args.length >= 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println("usage: junction [--config FILE] | check-config FILE | hash-password [--iterations N] PASSWORD");
            return 0;
        }
        Path configFile = Path.of(DEFAULT_CONFIG);
        if (args.length == 2 && args[0].equals("--config")) {
            configFile = Path.of(args[1]);
        } else if (args.length != 0) {
            err.println("junction: unknown arguments; usage: junction [--config FILE] | check-config FILE"
                    + " | hash-password PASSWORD");
            return 2;
        }
        JunctionConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            err.println("junction: " + e.getMessage());
            return 1;
        }
        return serve(config, err);
    }

    /**
     * {@code hash-password [--scram-sha-256|--scram-sha-512] [--iterations N] PASSWORD}: a PBKDF2-HMAC-SHA512 value
     * for users[].password_hash, or with a SCRAM option a SCRAM secret, which is a password hash too and also serves
     * MQTT 5 SCRAM logins.
     */
    static int hashPassword(String[] args, PrintStream out, PrintStream err) {
        ScramMechanism scram = args.length >= 2 && args[1].startsWith("--scram-") ? ScramMechanism.bySaslName(
                args[1].substring(2).toUpperCase(java.util.Locale.ROOT)).orElse(null) : null;
        if (scram != null) {
            String[] rest = new String[args.length - 1];
            rest[0] = args[0];
            System.arraycopy(args, 2, rest, 1, args.length - 2);
            args = rest;
        }
        int min = scram == null ? PasswordHash.MIN_ITERATIONS : ScramSecret.MIN_ITERATIONS;
        String usage = "usage: junction hash-password [--scram-sha-256|--scram-sha-512] [--iterations N] PASSWORD"
                + " (N in " + PasswordHash.MIN_ITERATIONS + ".." + PasswordHash.MAX_ITERATIONS + ", default "
                + PasswordHash.DEFAULT_ITERATIONS + "; with SCRAM " + ScramSecret.MIN_ITERATIONS + ".."
                + PasswordHash.MAX_ITERATIONS + ", default " + ScramSecret.DEFAULT_ITERATIONS + ")";
        int iterations = scram == null ? PasswordHash.DEFAULT_ITERATIONS : ScramSecret.DEFAULT_ITERATIONS;
        if (args.length == 4 && args[1].equals("--iterations")) {
            try {
                iterations = Integer.parseInt(args[2]);
            } catch (NumberFormatException e) {
                iterations = -1;
            }
            if (iterations < min || iterations > PasswordHash.MAX_ITERATIONS) {
                err.println(usage);
                return 2;
            }
        } else if (args.length != 2) {
            err.println(usage);
            return 2;
        }
        String password = args[args.length - 1];
        out.println(scram == null ? PasswordHash.create(password, iterations)
                : ScramSecret.create(scram, password, iterations));
        return 0;
    }

    static int checkConfig(Path file, PrintStream out, PrintStream err) {
        try {
            // Building the TLS contexts also finds what only the TLS provider can judge (a cipher it lacks).
            ServerTls.checkAll(ConfigLoader.load(file));
            out.println(file + ": ok");
            return 0;
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private static int serve(JunctionConfig config, PrintStream err) {
        applyLogLevel(config.logging().level());
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Broker> running = new java.util.concurrent.atomic.AtomicReference<>();
        // Registered before anything starts, so a SIGTERM that arrives while the listeners are coming up still
        // stops the broker cleanly (listeners, drain, store) rather than halting the JVM around it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (running) {
                Broker broker = running.getAndSet(null);
                if (broker != null) {
                    broker.close();
                }
            }
            stopped.countDown();
        }, "junction-shutdown"));
        synchronized (running) {
            try {
                running.set(Broker.start(config));
            } catch (HeapBudget.HeapTooSmallException e) {
                // One line (not also logged): the operator needs the size, not a stack trace.
                err.println("junction: could not start: " + e.getMessage());
                return 1;
            } catch (ConfigException e) {
                // A TLS file that changed or broke between reading the config and starting the listener.
                err.println("junction: " + e.getMessage());
                return 1;
            } catch (Exception e) {
                err.println("junction: could not start: " + e);
                LoggerFactory.getLogger(Main.class).error("start failed", e);
                return 1;
            }
        }
        reloadTlsOnHangup(running);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * SIGHUP re-reads the TLS listeners' certificate, key and CA files at once, as Mosquitto and nginx do, besides
     * the periodic check. Where the JVM cannot take the signal (Windows, {@code -Xrs}) only the periodic check runs.
     */
    private static void reloadTlsOnHangup(java.util.concurrent.atomic.AtomicReference<Broker> running) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                Broker broker = running.get();
                if (broker != null) {
                    broker.reloadTls();
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LoggerFactory.getLogger(Main.class).info("SIGHUP is not available ({}); TLS files are reloaded by the"
                    + " periodic check only", e.getMessage());
        }
    }

    private static void applyLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
