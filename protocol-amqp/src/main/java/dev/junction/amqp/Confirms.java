package dev.junction.amqp;

import java.util.TreeMap;

/**
 * Publisher confirms of one channel. Sequence numbers are handed out in publish order; results arrive in any
 * order (a store write may finish after later transient publishes). Confirms go out in sequence order as runs:
 * a run of acks becomes one basic.ack with multiple=true, a run of nacks one basic.nack. Event-loop only.
 */
final class Confirms {
    interface Emitter {
        void emit(long deliveryTag, boolean multiple, boolean ack);
    }

    private final TreeMap<Long, Boolean> finished = new TreeMap<>();
    private long next = 1;
    private long lowestOpen = 1;

    long nextSequence() {
        return next++;
    }

    /** Records the result of one publish and emits every confirm that is now due. */
    void finish(long seq, boolean ack, Emitter out) {
        finished.put(seq, ack);
        long runEnd = -1;
        boolean runAck = true;
        int runLength = 0;
        while (!finished.isEmpty() && finished.firstKey() == lowestOpen) {
            boolean result = finished.pollFirstEntry().getValue();
            if (runLength > 0 && result != runAck) {
                out.emit(runEnd, runLength > 1, runAck);
                runLength = 0;
            }
            runAck = result;
            runEnd = lowestOpen;
            runLength++;
            lowestOpen++;
        }
        if (runLength > 0) {
            out.emit(runEnd, runLength > 1, runAck);
        }
    }
}
