package dev.junction.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.PasswordHash;
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
        return serve(config, configFile, err);
    }

    /** {@code hash-password [--iterations N] PASSWORD}: a PBKDF2-HMAC-SHA512 value for users[].password_hash. */
    static int hashPassword(String[] args, PrintStream out, PrintStream err) {
        String usage = "usage: junction hash-password [--iterations N] PASSWORD (N in " + PasswordHash.MIN_ITERATIONS
                + ".." + PasswordHash.MAX_ITERATIONS + ", default " + PasswordHash.DEFAULT_ITERATIONS + ")";
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        if (args.length == 4 && args[1].equals("--iterations")) {
            try {
                iterations = Integer.parseInt(args[2]);
            } catch (NumberFormatException e) {
                iterations = -1;
            }
            if (iterations < PasswordHash.MIN_ITERATIONS || iterations > PasswordHash.MAX_ITERATIONS) {
                err.println(usage);
                return 2;
            }
        } else if (args.length != 2) {
            err.println(usage);
            return 2;
        }
        out.println(PasswordHash.create(args[args.length - 1], iterations));
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

    private static int serve(JunctionConfig config, Path configFile, PrintStream err) {
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
                running.get().configFile(configFile);
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
