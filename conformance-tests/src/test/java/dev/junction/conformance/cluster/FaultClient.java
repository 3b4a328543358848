package dev.junction.conformance.cluster;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of the fault test, on a thread of its own: it starts on its home node and, when its connection fails,
 * stops answering or refuses, goes on on the next node of the cluster (as a client configured with every node's
 * address does). It counts what it got done, so the test can wait for progress without timing anything.
 */
abstract class FaultClient implements AutoCloseable {
    private final List<String> ring = List.of(ProcessCluster.IDS);
    private final Thread thread;
    private int at;
    private volatile boolean stopping;
    /** Batches confirmed (publishers) or deliveries (consumer). */
    protected final AtomicLong progress = new AtomicLong();
    protected final AtomicInteger connections = new AtomicInteger();
    private volatile String node;
    private volatile Throwable failed;

    FaultClient(String name, String home) {
        this.at = ring.indexOf(home);
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Connects to {@code node} and works there until something fails; returns or throws when it does. */
    protected abstract void workOn(String node) throws Exception;

    /** Closes the current connection without waiting for the node (it may be paused). */
    protected abstract void abandon();

    private void loop() {
        while (!stopping) {
            String n = ring.get(at);
            node = n;
            try {
                workOn(n);
            } catch (Throwable e) {
                if (e instanceof Error && !(e instanceof AssertionError)) {
                    failed = e;
                    return;
                }
            }
            abandon();
            if (!stopping) {
                String wanted = wanted();
                // The next node (this one failed, died or stopped answering), unless the client was sent elsewhere.
                at = wanted != null ? ring.indexOf(wanted) : (at + 1) % ring.size();
                pause(200);
            }
        }
    }

    /** The node to go on on once {@link #workOn} returned; null: the next one in the ring. */
    protected String wanted() {
        return null;
    }

    protected boolean stopping() {
        return stopping;
    }

    protected static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long progress() {
        return progress.get();
    }

    int connections() {
        return connections.get();
    }

    String node() {
        return node;
    }

    String name() {
        return thread.getName();
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(30_000);
        abandon();
        if (failed != null) {
            throw new AssertionError(thread.getName() + " failed", failed);
        }
    }
}
