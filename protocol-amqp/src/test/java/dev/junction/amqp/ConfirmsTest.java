package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Confirms go out in sequence order, as runs of acks and of nacks, however the results arrive. */
class ConfirmsTest {
    private final List<Runnable> eventLoop = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    private Confirms confirms;

    @Test
    void resultsInOrderGoOutOneByOneWhenEachIsDueAtOnce() {
        confirms = new Confirms(eventLoop::add, () -> { });
        for (int i = 0; i < 3; i++) {
            long seq = confirms.nextSequence();
            confirms.finish(seq, true);
            confirms.emitDue(this::emit);
        }
        assertThat(sent).containsExactly("ack 1", "ack 2", "ack 3");
    }

    @Test
    void aLateResultHoldsBackTheLaterOnesThenRunsGoOutAsMultiple() {
        confirms = new Confirms(eventLoop::add, () -> { });
        for (int i = 0; i < 6; i++) {
            confirms.nextSequence();
        }
        confirms.finish(2, true);
        confirms.finish(3, true);
        confirms.finish(4, false);
        confirms.finish(5, false);
        confirms.emitDue(this::emit);
        assertThat(sent).isEmpty();
        confirms.finish(1, true);
        confirms.emitDue(this::emit);
        assertThat(sent).containsExactly("ack 3 multiple", "nack 5 multiple");
        confirms.finish(6, true);
        confirms.emitDue(this::emit);
        assertThat(sent).containsExactly("ack 3 multiple", "nack 5 multiple", "ack 6");
    }

    @Test
    void resultsArrivingFromOtherThreadsAreHandledByOneTaskAndConfirmedTogether() {
        confirms = new Confirms(eventLoop::add, () -> {
            confirms.takeArrived();
            confirms.emitDue(this::emit);
        });
        for (int i = 0; i < 100; i++) {
            confirms.nextSequence();
        }
        for (long seq = 100; seq >= 1; seq--) {
            confirms.arrived(seq, true);
        }
        assertThat(eventLoop).hasSize(1);
        eventLoop.remove(0).run();
        assertThat(sent).containsExactly("ack 100 multiple");
        confirms.arrived(confirms.nextSequence(), false);
        eventLoop.remove(0).run();
        assertThat(sent).containsExactly("ack 100 multiple", "nack 101");
    }

    @Test
    void manyOpenPublishesInAnyOrderAreEachConfirmedOnce() {
        confirms = new Confirms(eventLoop::add, () -> { });
        Random random = new Random(14);
        List<Long> open = new ArrayList<>();
        long confirmedUpTo = 0;
        long last = 0;
        for (int round = 0; round < 200; round++) {
            int n = random.nextInt(300);
            for (int i = 0; i < n; i++) {
                last = confirms.nextSequence();
                open.add(last);
            }
            Collections.shuffle(open, random);
            int done = random.nextInt(open.size() + 1);
            for (int i = 0; i < done; i++) {
                confirms.finish(open.remove(open.size() - 1), true);
            }
            sent.clear();
            confirms.emitDue(this::emit);
            long due = open.stream().mapToLong(Long::longValue).min().orElse(last + 1) - 1;
            if (due > confirmedUpTo) {
                assertThat(sent).containsExactly("ack " + due + (due - confirmedUpTo > 1 ? " multiple" : ""));
                confirmedUpTo = due;
            } else {
                assertThat(sent).isEmpty();
            }
        }
    }

    private void emit(long tag, boolean multiple, boolean ack) {
        sent.add((ack ? "ack " : "nack ") + tag + (multiple ? " multiple" : ""));
    }
}
