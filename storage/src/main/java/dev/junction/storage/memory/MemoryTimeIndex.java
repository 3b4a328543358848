package dev.junction.storage.memory;

import dev.junction.storage.TimeIndex;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * The {@link TimeIndex} of the {@link InMemoryMessageStore}: a sorted set on the heap, kept by the store so that an
 * engine started again on the same store finds it. Synchronized only because a test may read it from another
 * thread; its holder calls it from one thread.
 */
final class MemoryTimeIndex implements TimeIndex {
    private record Entry(long due, long id) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(id, o.id);
        }
    }

    private final TreeSet<Entry> entries = new TreeSet<>();

    @Override
    public synchronized void add(long dueAt, long id) {
        entries.add(new Entry(dueAt, id));
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public synchronized long[] next(long afterDue, long afterId, int max) {
        long[] out = new long[2 * Math.min(max, entries.size())];
        int n = 0;
        for (Entry e : entries.tailSet(new Entry(afterDue, afterId), false)) {
            if (n == out.length) {
                break;
            }
            out[n++] = e.due();
            out[n++] = e.id();
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public synchronized void releasedBefore(long dueAt) {
        entries.headSet(new Entry(dueAt, Long.MIN_VALUE)).clear();
    }

    @Override
    public synchronized long[] ids() {
        return entries.stream().mapToLong(Entry::id).toArray();
    }

    @Override
    public synchronized void clear() {
        entries.clear();
    }
}
