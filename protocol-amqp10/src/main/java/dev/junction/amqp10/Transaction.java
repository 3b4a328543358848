package dev.junction.amqp10;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One declared transaction of a connection [AMQP 1.0 part 4 section 4.4]: the messages published under it wait
 * here, and so do the outcomes the client gave under it to messages it received, until the discharge. Committing
 * routes the messages, in the order they came, and applies the outcomes; rolling back drops the messages and
 * requeues the received ones, which come again marked redelivered: the transactional outcome is void
 * [part 4 section 4.4.5], and Qpid JMS, having settled them, expects them again from the queue. The same contract as AMQP 0-9-1's
 * {@code tx.select}: nothing is routed or acknowledged before the commit. Event-loop only.
 */
final class Transaction {
    /** Work a transaction may hold: bounded, so a client that never discharges cannot fill the heap. */
    static final int MAX_WORK = 65_536;
    private final List<Supplier<CompletableFuture<Boolean>>> publishes = new ArrayList<>();
    private final List<Runnable> outcomes = new ArrayList<>();
    private final List<Runnable> undo = new ArrayList<>();

    /** A message to route at commit; the supplier publishes it and answers its confirmation. */
    void publish(Supplier<CompletableFuture<Boolean>> publish) {
        room();
        publishes.add(publish);
    }

    /** An outcome of a received message: {@code apply} runs at commit, {@code revert} at rollback. */
    void outcome(Runnable apply, Runnable revert) {
        room();
        outcomes.add(apply);
        undo.add(revert);
    }

    private void room() {
        if (publishes.size() + outcomes.size() >= MAX_WORK) {
            throw Refusal.link(Condition.RESOURCE_LIMIT_EXCEEDED, "more than " + MAX_WORK
                    + " messages and outcomes in one transaction");
        }
    }

    /**
     * Routes the messages and applies the outcomes; completes once every queue and the store have the messages.
     * A message the engine refuses at commit (its exchange went meanwhile) rolls back what is left and throws.
     */
    CompletableFuture<Void> commit() {
        List<CompletableFuture<Boolean>> confirmed = new ArrayList<>(publishes.size());
        try {
            for (Supplier<CompletableFuture<Boolean>> p : publishes) {
                confirmed.add(p.get());
            }
        } catch (RuntimeException e) {
            rollback(); // the received messages come again; the messages routed before the failure stay routed
            throw e;
        }
        outcomes.forEach(Runnable::run);
        discard();
        return CompletableFuture.allOf(confirmed.toArray(new CompletableFuture<?>[0]));
    }

    /** Drops the messages and gives the received ones back to their queues. */
    void rollback() {
        undo.forEach(Runnable::run);
        discard();
    }

    /** Forgets everything the transaction held (its connection is gone, and its links requeued what they held). */
    void discard() {
        publishes.clear();
        outcomes.clear();
        undo.clear();
    }
}
