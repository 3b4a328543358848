package dev.junction.broker.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import dev.junction.config.LoggingConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sets up where log lines go from the {@code logging:} section, with Logback's own parts: standard output always
 * (the {@code CONSOLE} appender of logback.xml), and with {@code file} a {@link RollingFileAppender} that rolls the
 * file over at {@code max_file_size} into {@code <name>.1.<ext>} ... {@code <name>.<max_history>.<ext>} (a fixed
 * window: the oldest goes). {@code format: json} writes both as JSON lines ({@link EscapingJsonEncoder}); text keeps
 * logback.xml's pattern, whose {@code %msg} and {@code %ex} escape control characters. Called once at start, before
 * the broker logs anything worth keeping; outputs change only with a restart.
 */
public final class LogOutputs {
    /** logback.xml's pattern, for the file in text format. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n%ex";
    private static final String CONSOLE = "CONSOLE";
    private static final String FILE = "FILE";
    /** How often the file's size is compared with max_file_size, at most. */
    private static final int CHECK_MILLIS = 250;

    private LogOutputs() {
    }

    /** Applies {@code logging}'s outputs; does nothing when Logback is not the SLF4J binding (some tests). */
    public static void apply(LoggingConfig logging) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (logging.format() == LoggingConfig.Format.JSON
                && root.getAppender(CONSOLE) instanceof ConsoleAppender<ILoggingEvent> console) {
            console.stop();
            console.setEncoder(encoder(context, logging));
            console.start();
        }
        Appender<ILoggingEvent> old = root.getAppender(FILE);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
        if (logging.file().isPresent()) {
            root.addAppender(file(context, logging, logging.file().get()));
        }
    }

    private static RollingFileAppender<ILoggingEvent> file(LoggerContext context, LoggingConfig logging, Path file) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName(FILE);
        appender.setFile(file.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(rolledPattern(file));
        rolling.setMinIndex(1);
        rolling.setMaxIndex(logging.maxHistory());
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(logging.maxFileSize()));
        // Logback looks at the file's size at most once a minute by default: a busy broker would write far past
        // max_file_size before rolling. A stat every 250 ms costs nothing next to the writes.
        trigger.setCheckIncrement(Duration.buildByMilliseconds(CHECK_MILLIS));
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder(context, logging));
        rolling.start();
        trigger.start();
        appender.start();
        return appender;
    }

    /** {@code junction.log} rolls into {@code junction.1.log}, ...; a name without extension into {@code name.1}. */
    static String rolledPattern(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String rolled = dot > 0 ? name.substring(0, dot) + ".%i" + name.substring(dot) : name + ".%i";
        return file.resolveSibling(rolled).toString();
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, LoggingConfig logging) {
        if (logging.format() == LoggingConfig.Format.JSON) {
            EscapingJsonEncoder json = new EscapingJsonEncoder();
            json.setContext(context);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(PATTERN);
        text.start();
        return text;
    }
}
