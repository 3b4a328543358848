package dev.junction.routing.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The shared delivery outlet on a hand-driven owner thread: every task runs only when the test says so. */
class DeliveryOutletTest {
    private static final int MAX_PENDING = 3;

    /** The owner thread's task queue, run by the test; refuses tasks once shut down, as a closed event loop does. */
    private static final class OwnerThread implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        boolean shutDown;

        @Override
        public void execute(Runnable task) {
            if (shutDown) {
                throw new RejectedExecutionException("shut down");
            }
            tasks.add(task);
        }

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    private final OwnerThread owner = new OwnerThread();
    private final List<String> events = new ArrayList<>();
    private final List<Boolean> reading = new ArrayList<>();
    private final DeliveryOutlet outlet = new DeliveryOutlet(owner, MAX_PENDING, () -> events.add("flush"),
            () -> events.add("resume"), reading::add);

    @Test
    void deliveriesRunOnTheOwnerInOrderWithOneFlushPerBatch() {
        outlet.deliver(() -> events.add("d1"));
        outlet.deliver(() -> events.add("d2"));
        assertTrue(events.isEmpty(), "nothing runs on the queue thread");
        assertEquals(1, owner.tasks.size(), "one wake-up of the owner for the batch");
        owner.runAll();
        assertEquals(List.of("d1", "d2", "flush"), events);
    }

    @Test
    void writesInOneTaskAreFlushedOnce() {
        outlet.written();
        outlet.written();
        outlet.written();
        assertEquals(1, owner.tasks.size());
        owner.runAll();
        assertEquals(List.of("flush"), events);
        outlet.written();
        owner.runAll();
        assertEquals(List.of("flush", "flush"), events, "a later task gets its own flush");
    }

    @Test
    void anUnwritableSocketPausesConsumersAndWritableResumesThem() {
        assertTrue(outlet.canTakeDeliveries());
        outlet.writabilityChanged(false);
        assertFalse(outlet.canTakeDeliveries());
        assertTrue(events.isEmpty());
        outlet.writabilityChanged(true);
        assertTrue(outlet.canTakeDeliveries());
        assertEquals(List.of("resume"), events);
    }

    @Test
    void aFullHandoffPausesConsumersUntilTheOwnerDrainsIt() {
        for (int i = 0; i < MAX_PENDING; i++) {
            outlet.deliver(() -> { });
        }
        assertFalse(outlet.canTakeDeliveries(), "the sink is told there is no room");
        owner.runAll();
        assertTrue(outlet.canTakeDeliveries());
        assertEquals(List.of("flush", "resume"), events, "the drain that made room resumes the consumers");
    }

    @Test
    void aClosedConnectionTakesNoDeliveries() {
        outlet.closed();
        assertFalse(outlet.isOpen());
        assertFalse(outlet.canTakeDeliveries());
    }

    @Test
    void aCongestedPublishStopsReadingUntilTheQueueIsRelieved() {
        List<Runnable> relief = new ArrayList<>();
        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add));
        assertEquals(List.of(false), reading);
        assertFalse(outlet.reading());
        assertEquals(1, relief.size());
        relief.get(0).run(); // on the queue's thread
        assertEquals(List.of(false), reading, "the gate is the owner thread's: relief waits for it");
        owner.runAll();
        assertEquals(List.of(false, true), reading);
        assertTrue(outlet.stoppedSinceAsked(), "the stop excuses one read-idle timeout");
        assertFalse(outlet.stoppedSinceAsked());
    }

    @Test
    void anUncongestedPublishLeavesReadingAlone() {
        outlet.publisherCongested(new PublishResult(1, CompletableFuture.completedFuture(true)));
        assertTrue(reading.isEmpty());
        assertTrue(outlet.reading());
    }

    @Test
    void reliefAfterTheOwnerThreadWentAwayIsDropped() {
        List<Runnable> relief = new ArrayList<>();
        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add));
        owner.shutDown = true;
        relief.get(0).run(); // must not throw on the queue's thread
        assertFalse(outlet.reading());
    }

    @Test
    void alarmAndHoldsNestWithCongestion() {
        outlet.alarm(true);
        outlet.hold(true);
        outlet.alarm(false);
        assertFalse(outlet.reading(), "still held");
        outlet.hold(false);
        assertTrue(outlet.reading());
        assertEquals(List.of(false, true), reading, "reading is switched once each way");
    }

    @Test
    void publishResultHidesTheQueueBehindItsRelief() {
        Consumer<Runnable> relief = r -> { };
        PublishResult congested = new PublishResult(2, new CompletableFuture<>(), relief);
        assertTrue(congested.congested());
        assertTrue(congested.routed());
        assertEquals(2, congested.routedQueues());
        PublishResult unroutable = new PublishResult(0, CompletableFuture.completedFuture(true));
        assertFalse(unroutable.routed());
        assertFalse(unroutable.congested());
    }

    @Test
    void aConnectionWaitsForTheFirstCongestedQueueOnlyAndCountsOnceInItsVhostsHolds() {
        PublisherHolds holds = new PublisherHolds();
        List<Runnable> relief = new ArrayList<>();
        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add).countingHoldsIn(holds));
        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add).countingHoldsIn(holds));
        assertEquals(1, relief.size(), "publishes read after the first wait for nothing of their own");
        assertEquals(1, holds.held());
        assertEquals(1, holds.holds());

        relief.get(0).run();
        owner.runAll();
        assertTrue(outlet.reading());
        assertEquals(0, holds.held());
        assertTrue(holds.heldSeconds() >= 0);

        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add).countingHoldsIn(holds));
        assertFalse(outlet.reading(), "a publish to a queue still congested stops reading again");
        assertEquals(2, holds.holds());
        assertEquals(List.of(false, true, false), reading);
    }

    @Test
    void aConnectionThatClosesWhileHeldIsNoLongerCountedAndALateReliefChangesNothing() {
        PublisherHolds holds = new PublisherHolds();
        List<Runnable> relief = new ArrayList<>();
        outlet.publisherCongested(new PublishResult(1, new CompletableFuture<>(), relief::add).countingHoldsIn(holds));
        outlet.closed();
        assertEquals(0, holds.held());
        relief.get(0).run();
        owner.runAll();
        assertEquals(0, holds.held());
        assertEquals(1, holds.holds());
    }

    @Test
    void anUncongestedResultIsNotCounted() {
        PublisherHolds holds = new PublisherHolds();
        PublishResult free = new PublishResult(1, CompletableFuture.completedFuture(true));
        assertSame(free, free.countingHoldsIn(holds), "nothing to count: the same result");
        outlet.publisherCongested(free.countingHoldsIn(holds));
        assertEquals(0, holds.holds());
    }
}
