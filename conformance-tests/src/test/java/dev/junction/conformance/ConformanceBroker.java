package dev.junction.conformance;

import dev.junction.broker.Broker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that runs a conformance test's broker: registered with {@code @RegisterExtension}, it starts a
 * {@link BrokerFixture} from its {@link BrokerConfig} and stops it again, once for the class or once per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ConformanceBroker broker = ConformanceBroker.perClass();               // one for all tests
 *
 * @RegisterExtension
 * final ConformanceBroker broker = ConformanceBroker.perMethod(BrokerConfig.standard().withLimits(...));
 *
 * @RegisterExtension
 * final ConformanceBroker broker = ConformanceBroker.startedByTest();  // the test calls start(config)
 * }</pre>
 *
 * A per-class broker belongs in a static field (JUnit calls class-level callbacks only for those). Everything
 * handed to {@link #closeBeforeStop} (clients, connections) is closed, in the order given, before the broker
 * stops; the broker's temporary store directory is deleted after it.
 */
public class ConformanceBroker
        implements RunningBroker, BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** When the extension starts and stops its broker. */
    protected enum Lifecycle {
        /** Started before the first test of the class, stopped after the last. */
        PER_CLASS,
        /** Started before each test, stopped after it: every test counts connections and sessions from zero. */
        PER_METHOD,
        /** Started by the test itself, with a configuration of its own; stopped after it. */
        BY_TEST
    }

    private final Lifecycle lifecycle;
    private final BrokerConfig config;
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private BrokerFixture running;

    protected ConformanceBroker(Lifecycle lifecycle, BrokerConfig config) {
        this.lifecycle = lifecycle;
        this.config = config;
    }

    public static ConformanceBroker perClass() {
        return perClass(BrokerConfig.standard());
    }

    public static ConformanceBroker perClass(BrokerConfig config) {
        return new ConformanceBroker(Lifecycle.PER_CLASS, config);
    }

    public static ConformanceBroker perMethod() {
        return perMethod(BrokerConfig.standard());
    }

    public static ConformanceBroker perMethod(BrokerConfig config) {
        return new ConformanceBroker(Lifecycle.PER_METHOD, config);
    }

    /** No broker until the test calls {@link #start(BrokerConfig)} or {@link #startIn}; stopped after the test. */
    public static ConformanceBroker startedByTest() {
        return new ConformanceBroker(Lifecycle.BY_TEST, BrokerConfig.standard());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (lifecycle == Lifecycle.PER_CLASS) {
            running = launch(config);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (lifecycle == Lifecycle.PER_METHOD) {
            running = launch(config);
        } else if (lifecycle == Lifecycle.PER_CLASS && running == null) {
            throw new ExtensionConfigurationException(
                    "a per-class ConformanceBroker must be registered in a static field of " + context.getDisplayName());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (lifecycle != Lifecycle.PER_CLASS) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (lifecycle == Lifecycle.PER_CLASS) {
            stop();
        }
    }

    /** Starts this test's broker with {@code config} (only for {@link #startedByTest()}). */
    public RunningBroker start(BrokerConfig config) throws Exception {
        requireStartedByTest();
        running = launch(config);
        return this;
    }

    /**
     * Starts this test's broker with {@code config}, keeping its store in {@code dataDir}, which the test owns: it
     * may {@link #stop} the broker and start it again on the same directory (a restart).
     */
    public RunningBroker startIn(Path dataDir, BrokerConfig config) throws Exception {
        requireStartedByTest();
        running = BrokerFixture.startIn(dataDir, config);
        return this;
    }

    /**
     * Stops the running broker and starts a new one from what {@link #launch} builds now (a subclass may have
     * changed it); the new one is stopped when the old one would have been.
     */
    protected void restart() throws Exception {
        stop();
        running = launch(config);
    }

    /** Starts a broker with {@code config}; a subclass whose broker is configured otherwise overrides this. */
    protected BrokerFixture launch(BrokerConfig config) throws Exception {
        return BrokerFixture.start(config);
    }

    private void requireStartedByTest() {
        if (lifecycle != Lifecycle.BY_TEST) {
            throw new IllegalStateException("this broker is started by the extension, not by the test");
        }
        if (running != null) {
            throw new IllegalStateException("stop the running broker first");
        }
    }

    /** The configuration this extension starts its broker with. */
    public BrokerConfig config() {
        return config;
    }

    /** Whether a broker is running now. */
    public boolean isRunning() {
        return running != null;
    }

    @Override
    public Broker broker() {
        if (running == null) {
            throw new IllegalStateException("no broker is running");
        }
        return running.broker();
    }

    /** Closes {@code closeable} when this broker stops, before the broker (in the order they were given). */
    public <T extends AutoCloseable> T closeBeforeStop(T closeable) {
        closeFirst.add(closeable);
        return closeable;
    }

    /** Closes what was handed to {@link #closeBeforeStop}, then stops the broker; does nothing when none runs. */
    public void stop() {
        for (AutoCloseable c : closeFirst) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the broker is about to go, and the next closer must still run
            }
        }
        closeFirst.clear();
        if (running != null) {
            BrokerFixture stopping = running;
            running = null;
            stopping.close();
        }
    }
}
