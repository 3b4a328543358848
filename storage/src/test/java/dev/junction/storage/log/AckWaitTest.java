package dev.junction.storage.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When the writer may hold a group's fsync for its appends' acks, on a clock the test drives. */
class AckWaitTest {
    private static final long MAX_WAIT = 2_000_000L;

    @Test
    void noWaitBeforeAnyConsumerAcked() {
        assertThat(new AckWait(MAX_WAIT).mayWait(1_000)).isFalse();
    }

    @Test
    void waitsOnlyWhileRemovalsAreRecent() {
        AckWait w = new AckWait(MAX_WAIT);
        w.removal(1_000);
        assertThat(w.mayWait(1_000 + MAX_WAIT)).isTrue();
        assertThat(w.mayWait(1_000 + AckWait.RECENT * MAX_WAIT)).isTrue();
        assertThat(w.mayWait(1_001 + AckWait.RECENT * MAX_WAIT)).isFalse();
    }

    @Test
    void aMissedWaitBacksOffEvenWhileConsumersAck() {
        AckWait w = new AckWait(MAX_WAIT);
        w.removal(0);
        w.missed(MAX_WAIT);
        long t = MAX_WAIT;
        while (t < MAX_WAIT + AckWait.BACK_OFF * MAX_WAIT) {
            w.removal(t);
            assertThat(w.mayWait(t)).isFalse();
            t += MAX_WAIT;
        }
        w.removal(t);
        assertThat(w.mayWait(t)).isTrue();
    }
}
