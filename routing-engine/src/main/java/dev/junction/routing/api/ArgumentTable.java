package dev.junction.routing.api;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A binding's arguments, or a message's few headers, as kept for their life: immutable, in the order given, void
 * (null) values allowed as in an AMQP field table, in two arrays. Bindings are many (one per MQTT subscription, with
 * its options as five arguments) and their arguments few, and so are messages held in queues and their headers (three
 * for an MQTT PUBLISH): a linear lookup costs less than a hash table's entries and table would in memory, about 110
 * bytes instead of 370 for five entries.
 */
final class ArgumentTable extends AbstractMap<String, Object> {
    private final String[] keys;
    private final Object[] values;
    /** Entries in use: the first {@code size} of each array (a builder's arrays may have room left). */
    private final int size;

    private ArgumentTable(String[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    /**
     * A table over the first {@code size} entries of these arrays, which the caller hands over (never changes those
     * entries again); no duplicate keys.
     */
    static ArgumentTable of(String[] keys, Object[] values, int size) {
        return new ArgumentTable(keys, values, size);
    }

    /** {@code arguments} as a table of their own ({@code arguments} itself when it is one already). */
    static Map<String, Object> copyOf(Map<String, Object> arguments) {
        if (arguments instanceof ArgumentTable t) {
            return t;
        }
        String[] k = new String[arguments.size()];
        Object[] v = new Object[k.length];
        int i = 0;
        for (Map.Entry<String, Object> e : arguments.entrySet()) {
            k[i] = e.getKey();
            v[i++] = e.getValue();
        }
        return new ArgumentTable(k, v, k.length);
    }

    private int indexOf(Object key) {
        for (int i = 0; i < size; i++) {
            if (keys[i] == null ? key == null : keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        // A view made per call: kept, it would cost every binding a field and an object.
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < size;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= size) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }
}
