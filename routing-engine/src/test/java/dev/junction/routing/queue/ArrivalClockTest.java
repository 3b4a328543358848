package dev.junction.routing.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The oldest ready message's arrival, from checkpoints instead of a timestamp per message. */
class ArrivalClockTest {

    @Test
    void theOldestOfTheReadyMessagesIsTheEarliestArrivalNotYetTaken() {
        ArrivalClock clock = new ArrivalClock();
        clock.arrived(1_000);
        clock.arrived(1_500); // same second: no new checkpoint, counted from 1000
        clock.arrived(2_000);
        clock.arrived(3_000);
        assertThat(clock.oldest(4)).isEqualTo(1_000);
        assertThat(clock.oldest(3)).as("the first went: the second came within the first checkpoint's second")
                .isEqualTo(1_000);
        assertThat(clock.oldest(2)).isEqualTo(2_000);
        assertThat(clock.oldest(1)).isEqualTo(3_000);
        assertThat(clock.oldest(0)).as("nothing ready").isZero();
    }

    @Test
    void neverLaterThanTheTrueArrival() {
        ArrivalClock clock = new ArrivalClock();
        long[] arrivals = new long[1000];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = 10_000 + i * 37L;
            clock.arrived(arrivals[i]);
        }
        for (int ready = arrivals.length; ready > 0; ready--) {
            long truth = arrivals[arrivals.length - ready];
            long told = clock.oldest(ready);
            assertThat(told).isLessThanOrEqualTo(truth).isGreaterThan(truth - 1_000);
        }
    }

    @Test
    void aLongFillKeepsFewCheckpointsAndStaysCloseToTheTruth() {
        ArrivalClock clock = new ArrivalClock();
        long start = 1_000_000;
        int seconds = 3 * 24 * 3600; // three days, one message a second, nothing consumed
        for (int i = 0; i < seconds; i++) {
            clock.arrived(start + i * 1000L);
        }
        assertThat(clock.oldest(seconds)).isEqualTo(start);
        // Half consumed: the oldest ready arrived halfway; thinned checkpoints put it a little earlier at most.
        long truth = start + (seconds / 2) * 1000L;
        long told = clock.oldest(seconds / 2);
        assertThat(told).isLessThanOrEqualTo(truth);
        assertThat(truth - told).isLessThan((truth - start) / 50);
    }

    @Test
    void readyMessagesItNeverSawArriveCountFromWhenItFirstSawThem() {
        ArrivalClock clock = new ArrivalClock();
        long before = System.currentTimeMillis();
        assertThat(clock.oldest(5)).isGreaterThanOrEqualTo(before); // restored from the store at start
    }
}
