package dev.junction.conformance;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Collects the broker's log events while open (logback in this JVM), so a test can assert what was or was not
 * logged. {@link #level} lowers one logger's level for the capture's lifetime, to see a DEBUG line used as a
 * barrier. Close it to detach.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final Logger root;
    private Logger lowered;
    private Level before;

    private LogCapture() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        setContext(context);
        setName("test-capture");
        start();
        root.addAppender(this);
    }

    public static LogCapture capture() {
        return new LogCapture();
    }

    /** Lets {@code loggerClass}'s events down to {@code level} through until close. */
    public LogCapture level(Class<?> loggerClass, Level level) {
        lowered = (Logger) LoggerFactory.getLogger(loggerClass);
        before = lowered.getLevel();
        lowered.setLevel(level);
        return this;
    }

    @Override
    protected void append(ILoggingEvent e) {
        e.prepareForDeferredProcessing();
        events.add(e);
    }

    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    public List<ILoggingEvent> matching(Predicate<ILoggingEvent> p) {
        return events.stream().filter(p).toList();
    }

    /**
     * The captured messages as the configured layout writes them: formatted by a {@code %msg} pattern of this
     * logging context, so with whatever converter the logback configuration registers for {@code msg}.
     */
    public List<String> written() {
        ch.qos.logback.classic.PatternLayout layout = new ch.qos.logback.classic.PatternLayout();
        layout.setContext(root.getLoggerContext());
        layout.setPattern("%msg");
        layout.start();
        try {
            return events.stream().map(layout::doLayout).toList();
        } finally {
            layout.stop();
        }
    }

    /** Waits (up to {@code timeoutMs}) for an event whose formatted message contains {@code text}. */
    public boolean await(String text, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (events.stream().anyMatch(e -> e.getFormattedMessage().contains(text))) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
        if (lowered != null) {
            lowered.setLevel(before);
        }
    }
}
