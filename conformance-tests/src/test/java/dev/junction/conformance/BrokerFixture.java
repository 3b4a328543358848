package dev.junction.conformance;

import dev.junction.broker.Broker;
import dev.junction.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A broker started in this JVM on ephemeral ports from a {@link BrokerConfig}. A test class gets one through
 * {@link ConformanceBroker}; a test that needs a second broker with other limits for a moment starts one here in a
 * try-with-resources block.
 *
 * <p>Closing it stops the broker and deletes the temporary directory it made for its store; a broker started
 * {@link #startIn in a given directory} leaves that directory to its caller, who may start another on it.
 */
public final class BrokerFixture implements RunningBroker, AutoCloseable {
    private final Broker broker;
    private final Path ownDir;

    private BrokerFixture(Broker broker, Path ownDir) {
        this.broker = broker;
        this.ownDir = ownDir;
    }

    /** A broker with {@code config}, its store in a new temporary directory deleted on close. */
    public static BrokerFixture start(BrokerConfig config) throws Exception {
        Path dir = Files.createTempDirectory("junction-test");
        try {
            return new BrokerFixture(Broker.start(ConfigLoader.parse(config.yaml(dir.resolve("data")),
                    "test.yaml")), dir);
        } catch (Exception | Error e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** A broker with {@code config} keeping its store in {@code dataDir}; starting again on it is a restart. */
    public static BrokerFixture startIn(Path dataDir, BrokerConfig config) throws Exception {
        return new BrokerFixture(Broker.start(ConfigLoader.parse(config.yaml(dataDir), "test.yaml")), null);
    }

    /** A broker configured by {@code yaml} as it is, for tests whose broker is not built on {@link BrokerConfig}. */
    public static BrokerFixture startYaml(String yaml) throws Exception {
        return new BrokerFixture(Broker.start(ConfigLoader.parse(yaml, "test.yaml")), null);
    }

    /** A broker configured by the file {@code configFile} (relative paths in it are relative to its directory). */
    public static BrokerFixture startFile(Path configFile) throws Exception {
        Broker broker = Broker.start(ConfigLoader.load(configFile));
        broker.configFile(configFile); // a reload re-reads it, as SIGHUP does for the launcher
        return new BrokerFixture(broker, null);
    }

    public static BrokerFixture start() throws Exception {
        return start(BrokerConfig.standard());
    }

    public static BrokerFixture start(int heartbeatSeconds, long maxMessageSize) throws Exception {
        return start(BrokerConfig.standard().withHeartbeat(heartbeatSeconds).withMaxMessageSize(maxMessageSize));
    }

    public static BrokerFixture start(int heartbeatSeconds, long maxMessageSize, int maxConnections)
            throws Exception {
        return start(BrokerConfig.standard().withHeartbeat(heartbeatSeconds).withMaxMessageSize(maxMessageSize)
                .withMaxConnections(maxConnections));
    }

    /**
     * A broker whose {@code limits:} section also has {@code extraLimits} (keys indented by two spaces, one per line)
     * and the given max message size.
     */
    public static BrokerFixture startWithLimits(long maxMessageSize, String extraLimits) throws Exception {
        return start(BrokerConfig.standard().withMaxMessageSize(maxMessageSize).withLimits(extraLimits));
    }

    /**
     * A broker keeping its store in {@code dataDir}, with {@code extraLimits} (keys indented by two spaces) added
     * to the limits section; starting it again on the same directory is a restart.
     */
    public static BrokerFixture startIn(Path dataDir, String extraLimits) throws Exception {
        return startIn(dataDir, BrokerConfig.standard().withLimits(extraLimits));
    }

    @Override
    public Broker broker() {
        return broker;
    }

    @Override
    public void close() {
        try {
            broker.close();
        } finally {
            if (ownDir != null) {
                deleteTree(ownDir);
            }
        }
    }

    /** Deletes {@code root} and everything under it, if it exists. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
