package dev.junction.routing.topic;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.BiConsumer;

/**
 * The (pattern, value) pairs that end at one trie node, as immutable snapshots: the single writer builds a
 * new snapshot for each change and publishes it through a volatile field, and a reader iterates whichever
 * snapshot it read, seeing every pair in it exactly once. (A concurrent set would not do: its weakly
 * consistent iterator may return a pair twice if the pair is removed and added again meanwhile.)
 *
 * <p>A snapshot is {@code null} (no pair), an {@code Object[]} of at most {@link #ARRAY_LIMIT} pairs, or
 * for a node with many pairs (one MQTT filter subscribed by thousands of clients) a {@link Chunked} one,
 * whose change copies one chunk of {@link #CHUNK} pairs and the array of chunks, not every pair.
 */
final class PairSets {

    /** Returned by {@link #add} and {@link #remove} when the pair set does not change. */
    static final Object UNCHANGED = new Object();

    static final int ARRAY_LIMIT = 8;
    static final int CHUNK = 64;

    private PairSets() {
    }

    /** Snapshot with many pairs. All chunks but the last hold exactly {@link #CHUNK} pairs; none is empty. */
    static final class Chunked {
        final Object[][] chunks;
        final int size;
        /** Writer only: where each pair of the newest snapshot is. Shared by successive snapshots. */
        final HashMap<Object, Integer> positions;

        Chunked(Object[][] chunks, int size, HashMap<Object, Integer> positions) {
            this.chunks = chunks;
            this.size = size;
            this.positions = positions;
        }

        Object get(int position) {
            return chunks[position / CHUNK][position % CHUNK];
        }
    }

    /** The snapshot with {@code pair} added, or {@link #UNCHANGED} if it is already there. Writer only. */
    static Object add(Object state, Object pair) {
        if (state == null) {
            return new Object[] {pair};
        }
        if (state instanceof Object[] array) {
            for (Object o : array) {
                if (o.equals(pair)) {
                    return UNCHANGED;
                }
            }
            if (array.length < ARRAY_LIMIT) {
                Object[] grown = Arrays.copyOf(array, array.length + 1);
                grown[array.length] = pair;
                return grown;
            }
            Chunked chunked = new Chunked(new Object[][] {array.clone()}, array.length, new HashMap<>());
            for (int i = 0; i < array.length; i++) {
                chunked.positions.put(array[i], i);
            }
            return append(chunked, pair);
        }
        Chunked chunked = (Chunked) state;
        return chunked.positions.containsKey(pair) ? UNCHANGED : append(chunked, pair);
    }

    private static Chunked append(Chunked c, Object pair) {
        int position = c.size;
        int chunk = position / CHUNK;
        int slot = position % CHUNK;
        Object[][] chunks;
        if (slot == 0) {
            chunks = Arrays.copyOf(c.chunks, chunk + 1);
            chunks[chunk] = new Object[] {pair};
        } else {
            chunks = c.chunks.clone();
            chunks[chunk] = Arrays.copyOf(c.chunks[chunk], slot + 1);
            chunks[chunk][slot] = pair;
        }
        c.positions.put(pair, position);
        return new Chunked(chunks, position + 1, c.positions);
    }

    /**
     * The snapshot with {@code pair} removed ({@code null} if none is left), or {@link #UNCHANGED} if it
     * is not there. Writer only.
     */
    static Object remove(Object state, Object pair) {
        if (state == null) {
            return UNCHANGED;
        }
        if (state instanceof Object[] array) {
            for (int i = 0; i < array.length; i++) {
                if (array[i].equals(pair)) {
                    if (array.length == 1) {
                        return null;
                    }
                    Object[] shrunk = new Object[array.length - 1];
                    System.arraycopy(array, 0, shrunk, 0, i);
                    System.arraycopy(array, i + 1, shrunk, i, array.length - i - 1);
                    return shrunk;
                }
            }
            return UNCHANGED;
        }
        Chunked c = (Chunked) state;
        Integer boxed = c.positions.remove(pair);
        if (boxed == null) {
            return UNCHANGED;
        }
        int position = boxed;
        int last = c.size - 1;
        Object[][] chunks = c.chunks.clone();
        if (position != last) { // the last pair fills the hole
            Object lastPair = c.get(last);
            int chunk = position / CHUNK;
            chunks[chunk] = chunks[chunk].clone();
            chunks[chunk][position % CHUNK] = lastPair;
            c.positions.put(lastPair, position);
        }
        int lastChunk = last / CHUNK;
        int lastSlot = last % CHUNK;
        if (lastSlot == 0) {
            chunks = Arrays.copyOf(chunks, lastChunk);
        } else {
            chunks[lastChunk] = Arrays.copyOf(chunks[lastChunk], lastSlot);
        }
        if (last > ARRAY_LIMIT / 2) {
            return new Chunked(chunks, last, c.positions);
        }
        Object[] array = new Object[last]; // few enough again for a plain array
        int i = 0;
        for (Object[] chunk : chunks) {
            for (Object o : chunk) {
                array[i++] = o;
            }
        }
        return array;
    }

    /** Reports every pair of the snapshot once. */
    @SuppressWarnings("unchecked")
    static <T> void report(Object state, BiConsumer<? super TopicPattern, ? super T> sink) {
        if (state instanceof Object[] array) {
            for (Object o : array) {
                TopicTrie.Pair<T> pair = (TopicTrie.Pair<T>) o;
                sink.accept(pair.pattern(), pair.value());
            }
        } else if (state != null) {
            for (Object[] chunk : ((Chunked) state).chunks) {
                for (Object o : chunk) {
                    TopicTrie.Pair<T> pair = (TopicTrie.Pair<T>) o;
                    sink.accept(pair.pattern(), pair.value());
                }
            }
        }
    }
}
