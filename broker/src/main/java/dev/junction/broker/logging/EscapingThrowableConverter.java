package dev.junction.broker.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.Arrays;

/**
 * {@code %ex}: the stack trace as logback writes it, with the message of every throwable in it (causes and
 * suppressed ones too) escaped like {@link EscapingMessageConverter} escapes log messages. An exception message
 * can carry a client's string (a topic, a queue name); its stack frames cannot. Registered for {@code ex},
 * {@code exception} and {@code throwable} in logback.xml, whose patterns name {@code %ex} explicitly (logback
 * appends a converter of its own choosing, not a registered one, to patterns without it).
 */
public final class EscapingThrowableConverter extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return super.throwableProxyToString(new Escaped(tp));
    }

    /** A view of a throwable proxy whose messages are escaped. */
    private record Escaped(IThrowableProxy tp) implements IThrowableProxy {
        @Override
        public String getOverridingMessage() {
            return EscapingMessageConverter.escape(tp.getOverridingMessage());
        }

        @Override
        public String getMessage() {
            return EscapingMessageConverter.escape(tp.getMessage());
        }

        @Override
        public String getClassName() {
            return tp.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return tp.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return tp.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return tp.getCause() == null ? null : new Escaped(tp.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = tp.getSuppressed();
            return s == null ? null : Arrays.stream(s).map(Escaped::new).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return tp.isCyclic();
        }
    }
}
