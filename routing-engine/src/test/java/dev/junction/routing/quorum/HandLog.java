package dev.junction.routing.quorum;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link QuorumLog} that commits every command at once, and records them in order: {@code "settle c1 7"},
 * {@code "giveBack c1 7"}, ... A checkout waits instead, until the test answers it ({@link #checkouts}).
 */
final class HandLog implements QuorumLog {
    /** A checkout asked of the log: the test completes {@code answer} as the leader would. */
    record Checkout(String getter, boolean settled, CompletableFuture<Long> answer) {
    }

    final List<String> commands = new CopyOnWriteArrayList<>();
    final BlockingQueue<Checkout> checkouts = new LinkedBlockingQueue<>();
    /** Whether the log holds the queue's state: an attachment to a queue it lacks is answered -1. */
    volatile boolean hasQueue = true;
    /** Whether the log refuses attachments for an exclusive consumer ({@link QuorumLog#IN_EXCLUSIVE_USE}). */
    volatile boolean inExclusiveUse;
    /** Whether an attachment fails as a submission does whose commit is unknown (no majority, resends run out). */
    volatile boolean attachFails;
    /** What the usage command answers (queue.delete's if-unused and if-empty). */
    volatile QuorumUsage usage = new QuorumUsage(0, 0);
    /** What the usage command counting ready messages answers (queue.declare-ok): the test may fail it or hold it. */
    volatile CompletableFuture<QuorumUsage> readyUsage = CompletableFuture.completedFuture(new QuorumUsage(0, 0));
    /** What this node's replica counts: ready, unsettled, consumers. */
    volatile int ready;
    volatile int unsettled;
    volatile int consumerCount = 1;
    private int consumers;

    /** An engine with the vhost "/" whose quorum queues are replicated through this log; close it after. */
    RoutingEngine engine() {
        RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
        engine.createVhost("/");
        engine.quorum().replicateThrough(this);
        return engine;
    }

    /** The vhost "/" of {@code engine}, as adapters see it. */
    static Vhost vhost(RoutingEngine engine) {
        return Engine.of(engine).vhost("/").orElseThrow();
    }

    private CompletableFuture<Long> took(String command) {
        commands.add(command);
        return CompletableFuture.completedFuture(1L);
    }

    @Override
    public CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive) {
        commands.add("declare");
        hasQueue = true;
        return CompletableFuture.completedFuture(0L);
    }

    @Override
    public CompletableFuture<Long> enqueue(String vhost, String name, byte[] body) {
        return took("enqueue");
    }

    @Override
    public synchronized String newConsumerId() {
        return "c" + ++consumers;
    }

    @Override
    public CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch) {
        return attach(vhost, name, consumer, prefetch, 0, false);
    }

    /** Recorded as {@code "attach c1 10"}, or {@code "attach c1 10 exclusive"}. */
    @Override
    public CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch, int priority,
            boolean exclusive) {
        commands.add("attach " + consumer + " " + prefetch + (exclusive ? " exclusive" : ""));
        if (attachFails) {
            return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("no majority"));
        }
        return CompletableFuture.completedFuture(!hasQueue ? -1L : inExclusiveUse ? IN_EXCLUSIVE_USE : 0L);
    }

    @Override
    public CompletableFuture<Long> checkout(String vhost, String name, String getter, boolean settled) {
        commands.add("checkout " + getter + " " + settled);
        Checkout c = new Checkout(getter, settled, new CompletableFuture<>());
        checkouts.add(c);
        return c.answer();
    }

    @Override
    public CompletableFuture<Long> settle(String vhost, String name, String consumer, long... ids) {
        return took("settle " + consumer + " " + ids[0]);
    }

    @Override
    public CompletableFuture<Long> giveBack(String vhost, String name, String consumer, long... ids) {
        return took("giveBack " + consumer + " " + ids[0]);
    }

    @Override
    public CompletableFuture<Long> detach(String vhost, String name, String consumer, boolean returnUnsettled) {
        return took("detach " + consumer + " " + returnUnsettled);
    }

    @Override
    public CompletableFuture<Long> purge(String vhost, String name) {
        return took("purge");
    }

    @Override
    public CompletableFuture<Long> delete(String vhost, String name) {
        return took("delete");
    }

    @Override
    public boolean congested() {
        return false;
    }

    @Override
    public void whenRelieved(Runnable callback) {
        callback.run();
    }

    @Override
    public CompletableFuture<QuorumUsage> usage(String vhost, String name, QuorumUsage.Counted counted) {
        commands.add(counted == QuorumUsage.Counted.HELD ? "usage" : "usage ready");
        return counted == QuorumUsage.Counted.READY ? readyUsage : CompletableFuture.completedFuture(usage);
    }

    @Override
    public int readyCount(String vhost, String name) {
        return ready;
    }

    @Override
    public int consumerCount(String vhost, String name) {
        return consumerCount;
    }

    @Override
    public int unsettledCount(String vhost, String name) {
        return unsettled;
    }
}
