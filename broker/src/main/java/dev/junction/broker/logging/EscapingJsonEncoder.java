package dev.junction.broker.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * One JSON object per line (Logback's {@link JsonEncoder}): {@code timestamp}, {@code level}, {@code threadName},
 * {@code loggerName}, {@code formattedMessage} and, when there is one, {@code throwable}. JSON already escapes line
 * breaks and the other C0 controls; the message is escaped first as in the text format as well
 * ({@link EscapingMessageConverter}), so that C1 controls and the Unicode line separators, which JSON would leave
 * as they are, cannot reach a terminal that shows the file either, and a line reads the same in both formats.
 */
public final class EscapingJsonEncoder extends JsonEncoder {
    public EscapingJsonEncoder() {
        setWithFormattedMessage(true);
        setWithMessage(false);
        setWithArguments(false);
        setWithContext(false);
        setWithSequenceNumber(false);
        setWithNanoseconds(false);
        setWithMarkers(false);
        setWithKVPList(false);
        setWithMDC(false);
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return super.encode(escaped(event));
    }

    /** {@code event} whose formatted message is escaped; every other property is the event's own. */
    private static ILoggingEvent escaped(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        String escaped = EscapingMessageConverter.escape(message);
        if (escaped == message) {
            return event;
        }
        return (ILoggingEvent) Proxy.newProxyInstance(ILoggingEvent.class.getClassLoader(),
                new Class<?>[] {ILoggingEvent.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getFormattedMessage") && method.getParameterCount() == 0) {
                        return escaped;
                    }
                    try {
                        return method.invoke(event, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
