package dev.junction.routing.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.MessageFormatter;

class LogLimiterTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final WarningLimiter.Sink sink =
            (format, args) -> lines.add(MessageFormatter.arrayFormat(format, args).getMessage());
    private final LogLimiter limiter = new LogLimiter(TimeUnit.SECONDS.toNanos(10), clock::get);

    @Test
    void oneLinePerKindPerIntervalAndTheNextLineCountsWhatWasLeftOut() {
        for (int i = 1; i <= 5; i++) {
            limiter.log(sink, "refused", "refused {}", i);
        }
        limiter.log(sink, "timeout", "timeout");
        assertThat(lines).containsExactly("refused 1", "timeout");

        clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
        limiter.log(sink, "refused", "refused {}", 6);
        assertThat(lines).last().isEqualTo("refused 6 (4 more like this in the last 10 s)");
    }
}
