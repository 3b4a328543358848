package dev.junction.broker.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The {@code %msg} of every log line, with control characters escaped: CR and LF as {@code \r} and {@code \n},
 * tab as {@code \t}, other C0 and C1 controls, DEL and the Unicode line and paragraph separators as {@code \xNN}
 * / {@code \\uNNNN}. Client ids, user names, topics and queue names come from the network; escaping them here, for
 * every message, means no call site can forget and a client cannot forge log lines (log injection, CWE-117).
 * Registered for {@code msg}, {@code message} and {@code m} in logback.xml.
 */
public final class EscapingMessageConverter extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return escape(event.getFormattedMessage());
    }

    /** {@code text} with control characters escaped; the same instance when there is nothing to escape. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c <= 0xFF) {
                out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }
}
