package dev.junction.routing.guard;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class WarningLimiterTest {
    private long now = 5_000_000_000L;
    private final WarningLimiter limiter = new WarningLimiter(TimeUnit.SECONDS.toNanos(30), () -> now);
    private final Logger log = (Logger) LoggerFactory.getLogger("warning-limiter-test");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void attach() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void detach() {
        log.detachAppender(logged);
    }

    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
    }

    @Test
    void oneLinePerAddressPerIntervalAndTheNextLineCountsTheSuppressedOnes() throws Exception {
        for (int i = 0; i < 10; i++) {
            limiter.warn(log, address(1), "bad frame {}", i);
        }
        limiter.warn(log, address(2), "bad frame {}", "b");
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("bad frame 0", "bad frame b");
        now += TimeUnit.SECONDS.toNanos(30);
        limiter.warn(log, address(1), "bad frame {}", 10);
        assertThat(logged.list.get(2).getFormattedMessage())
                .isEqualTo("bad frame 10 (9 more such lines from this address suppressed; at most one per 30 s is logged)");
    }

    @Test
    void trackedAddressesAreBounded() throws Exception {
        for (int i = 0; i < WarningLimiter.MAX_SOURCES + 500; i++) {
            limiter.warn(log, address(i + 1), "x");
        }
        assertThat(limiter.trackedSources()).isLessThanOrEqualTo(WarningLimiter.MAX_SOURCES + 1);
        assertThat(logged.list.size()).isLessThanOrEqualTo(WarningLimiter.MAX_SOURCES + 1);
    }
}
