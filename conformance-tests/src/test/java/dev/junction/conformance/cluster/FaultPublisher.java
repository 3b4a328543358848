package dev.junction.conformance.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * What the fault test's two publishers share: batches of {@value #BATCH} numbered messages, each copy recorded in the
 * ledger as sent before it can be delivered, and a batch not confirmed in full sent again, with the same numbers, on
 * the next connection (at least once, as an application does). Each connection is an epoch of its own, so copies
 * sent on different connections are told apart.
 */
abstract class FaultPublisher extends FaultClient {
    static final int BATCH = 10;

    protected final ProcessCluster cluster;
    protected final FaultLedger ledger;
    protected final String name;
    /** Sequence numbers sent and not confirmed yet: sent again first on the next connection. */
    private final List<Long> pending = new ArrayList<>();
    private long next;
    private int epoch;

    /** How one copy is sent on the current connection. */
    interface Send {
        void copy(String copy) throws Exception;
    }

    FaultPublisher(ProcessCluster cluster, FaultLedger ledger, String name, String home) {
        super("fault-publisher-" + name, home);
        this.cluster = cluster;
        this.ledger = ledger;
        this.name = name;
    }

    /** The epoch of a new connection. */
    protected int newEpoch() {
        return ++epoch;
    }

    /** Sends the unconfirmed batch, topped up with new numbers, in epoch {@code e}; returns its copies. */
    protected List<String> sendBatch(int e, Send send) throws Exception {
        while (pending.size() < BATCH) {
            pending.add(next++);
        }
        List<String> copies = new ArrayList<>();
        for (long seq : pending) {
            String copy = FaultLedger.copy(name, e, seq);
            ledger.sent(copy); // before it can be delivered
            copies.add(copy);
            send.copy(copy);
        }
        return copies;
    }

    /** The batch whose {@code copies} these are was confirmed in full: the next one gets new numbers. */
    protected void confirmed(List<String> copies) {
        copies.forEach(ledger::confirmed);
        pending.clear();
        progress.incrementAndGet();
        pause(50);
    }
}
