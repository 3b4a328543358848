package dev.junction.routing.queue;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The ready messages of a queue, highest priority first and oldest first within a priority. New messages are
 * appended to a FIFO lane; requeued ones go to a per-lane heap ordered by their original position, so a
 * requeued message is delivered before the messages that were behind it, as in RabbitMQ.
 */
final class ReadyList {
    private static final Comparator<QueueEntry> BY_SEQ = Comparator.comparingLong(e -> e.seq);

    private final ArrayDeque<QueueEntry>[] fresh;
    private final PriorityQueue<QueueEntry>[] requeued;
    private int count;
    private long bytes;

    @SuppressWarnings("unchecked")
    ReadyList(int maxPriority) {
        fresh = new ArrayDeque[maxPriority + 1];
        requeued = new PriorityQueue[maxPriority + 1];
    }

    int maxPriority() {
        return fresh.length - 1;
    }

    void add(QueueEntry e) {
        ArrayDeque<QueueEntry> lane = fresh[e.priority];
        if (lane == null) {
            // Made with the lane's first message: an empty queue (an idle MQTT session's) holds no lanes.
            lane = fresh[e.priority] = new ArrayDeque<>();
        }
        lane.addLast(e);
        count++;
        bytes += e.size();
    }

    void requeue(QueueEntry e) {
        PriorityQueue<QueueEntry> heap = requeued[e.priority];
        if (heap == null) {
            heap = requeued[e.priority] = new PriorityQueue<>(BY_SEQ);
        }
        heap.add(e);
        count++;
        bytes += e.size();
    }

    QueueEntry peek() {
        for (int p = fresh.length - 1; p >= 0; p--) {
            QueueEntry e = head(p);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    QueueEntry poll() {
        for (int p = fresh.length - 1; p >= 0; p--) {
            QueueEntry e = head(p);
            if (e != null) {
                return take(p, e);
            }
        }
        return null;
    }

    /** The oldest message of the lowest priority: what drop-head overflow removes first. */
    QueueEntry pollOldestLowest() {
        for (int p = 0; p < fresh.length; p++) {
            QueueEntry e = head(p);
            if (e != null) {
                return take(p, e);
            }
        }
        return null;
    }

    /** Removes {@code e}, the head of lane {@code p}, from the heap or the FIFO it is the head of. */
    private QueueEntry take(int p, QueueEntry e) {
        PriorityQueue<QueueEntry> heap = requeued[p];
        if (heap != null && heap.peek() == e) {
            heap.poll();
        } else {
            fresh[p].pollFirst();
        }
        count--;
        bytes -= e.size();
        return e;
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Empties the list, handing every entry to {@code sink}. */
    void drain(Consumer<QueueEntry> sink) {
        QueueEntry e;
        while ((e = poll()) != null) {
            sink.accept(e);
        }
    }

    private QueueEntry head(int p) {
        QueueEntry f = fresh[p] == null ? null : fresh[p].peekFirst();
        PriorityQueue<QueueEntry> heap = requeued[p];
        QueueEntry r = heap == null ? null : heap.peek();
        if (r == null) {
            return f;
        }
        return f == null || r.seq < f.seq ? r : f;
    }
}
