package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.ReadGate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pieces of publisher flow control: a mailbox that knows its backlog, and a gate over a socket's reading. */
class FlowControlTest {

    /** A pool that runs nothing until told to, so a test decides when the mailbox catches up. */
    private static final class ManualPool implements Executor {
        final ArrayDeque<Runnable> scheduled = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            scheduled.add(r);
        }

        void runAll() {
            Runnable r;
            while ((r = scheduled.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void aMailboxCountsItsBacklogAndCallsBackOnceItHasCaughtUp() {
        ManualPool pool = new ManualPool();
        SerialExecutor mailbox = new SerialExecutor(pool, "test");
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 3000; i++) {
            mailbox.execute(ran::incrementAndGet);
        }
        mailbox.executeUrgent(() -> { }); // urgent tasks are not backlog
        assertThat(mailbox.backlog()).isEqualTo(3000);

        AtomicInteger relieved = new AtomicInteger();
        mailbox.whenBacklogAtMost(1000, relieved::incrementAndGet);
        assertThat(relieved).hasValue(0);

        pool.runAll(); // batches of 512 until empty; the callback runs once, on the first batch at or below 1000
        assertThat(ran).hasValue(3000);
        assertThat(mailbox.backlog()).isZero();
        assertThat(relieved).hasValue(1);
    }

    @Test
    void aCallbackRegisteredWhenTheBacklogIsAlreadyLowRunsAtOnce() {
        SerialExecutor mailbox = new SerialExecutor(new ManualPool(), "test");
        mailbox.execute(() -> { });
        AtomicInteger relieved = new AtomicInteger();
        mailbox.whenBacklogAtMost(10, relieved::incrementAndGet);
        assertThat(relieved).hasValue(1);
    }

    @Test
    void theGateStopsReadingForEitherReasonAndResumesOnlyWhenBothAreGone() {
        List<Boolean> reading = new ArrayList<>();
        ReadGate gate = new ReadGate(reading::add);

        gate.congested();
        gate.congested();
        gate.memoryAlarm(true);
        gate.relieved();
        gate.relieved();
        assertThat(gate.open()).isFalse();
        gate.memoryAlarm(false);
        assertThat(gate.open()).isTrue();
        gate.relieved(); // a stray relief does not go negative
        gate.congested();

        assertThat(reading).containsExactly(false, true, false);
    }

    @Test
    void aReadIdleTimeoutIsExcusedOnceForAnIntervalInWhichReadingStopped() {
        ReadGate gate = new ReadGate(on -> { });
        assertThat(gate.stoppedSinceAsked()).isFalse();
        gate.congested();
        gate.relieved(); // reading resumed, but the idle timer still counts from before the pause
        assertThat(gate.stoppedSinceAsked()).isTrue();
        assertThat(gate.stoppedSinceAsked()).isFalse(); // the next full interval is the peer's again
        gate.congested();
        gate.relieved();
        gate.read(); // a read after the pause: a later silence is the peer's
        assertThat(gate.stoppedSinceAsked()).isFalse();
        gate.memoryAlarm(true);
        assertThat(gate.stoppedSinceAsked()).isTrue();
        assertThat(gate.stoppedSinceAsked()).isTrue(); // still stopped
    }
}
