package dev.junction.storage.log;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An open-addressing map from positive {@code long} keys to values, with linear probing and backward-shift
 * deletion: no boxing and no entry objects, so the message index costs little beyond the messages themselves.
 * Not thread-safe.
 */
final class LongMap<V> {

    private static final int MIN_CAPACITY = 16;

    private long[] keys = new long[MIN_CAPACITY];
    private Object[] values = new Object[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    /** Puts {@code value} under {@code key} (positive) and returns the value it replaced, if any. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (key <= 0) {
            throw new IllegalArgumentException("keys are positive: " + key);
        }
        if ((size + 1) * 10L > keys.length * 7L) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            if (k == 0) {
                keys[i] = key;
                values[i] = value;
                size++;
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (true) {
            long k = keys[i];
            if (k == 0) {
                return null;
            }
            if (k == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        // Shift back later entries of the same probe run so that lookups never stop early at the hole.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        size--;
        if (keys.length > MIN_CAPACITY * 4 && size * 8L < keys.length) {
            resize(keys.length / 2);
        }
        return old;
    }

    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                action.accept((V) values[i]);
            }
        }
    }

    void clear() {
        keys = new long[MIN_CAPACITY];
        values = new Object[MIN_CAPACITY];
        size = 0;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long k = oldKeys[j];
            if (k != 0) {
                int i = hash(k) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                values[i] = oldValues[j];
            }
        }
        Arrays.fill(oldValues, null);
    }
}
