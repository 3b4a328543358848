package dev.junction.broker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EscapingMessageConverterTest {
    @Test
    void controlCharactersAreEscapedAndEverythingElseIsKept() {
        assertThat(EscapingMessageConverter.escape("user 'a\r\nb'\t\u0000\u001b[31m\u007f\u0085\u2028 é 日本"))
                .isEqualTo("user 'a\\r\\nb'\\t\\x00\\x1b[31m\\x7f\\x85\\u2028 é 日本");
    }

    @Test
    void textWithoutControlCharactersIsReturnedAsIs() {
        String s = "amqp 127.0.0.1:5672: connection opened for user 'guest' in vhost '/'";
        assertThat(EscapingMessageConverter.escape(s)).isSameAs(s);
        assertThat(EscapingMessageConverter.escape(null)).isNull();
    }

    @Test
    void exceptionMessagesInStackTracesAreEscapedToo() {
        EscapingThrowableConverter ex = new EscapingThrowableConverter();
        ex.setContext(new ch.qos.logback.classic.LoggerContext());
        ex.start();
        Exception e = new IllegalStateException("bad topic 'a\nFORGED'", new RuntimeException("cause\r\nFORGED"));
        String written = ex.convert(new ch.qos.logback.classic.spi.LoggingEvent("x",
                new ch.qos.logback.classic.LoggerContext().getLogger("x"), ch.qos.logback.classic.Level.ERROR, "m", e,
                null));
        assertThat(written).contains("java.lang.IllegalStateException: bad topic 'a\\nFORGED'")
                .contains("Caused by: java.lang.RuntimeException: cause\\r\\nFORGED")
                .doesNotContain("\nFORGED").doesNotContain("\rFORGED");
        assertThat(written.lines()).noneMatch(l -> l.startsWith("FORGED"));
    }
}
