package dev.junction.storage.table;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A table of byte arrays by key: what definitions, retained messages and sessions have in common. Each store
 * has one backend (the heap store a map, the log store its metadata log) and uses it three times, once per
 * kind of entry; {@link DefinitionTable}, {@link RetainedTable} and {@link SessionTable} put the public store
 * interfaces on top.
 *
 * <ul>
 *   <li>A put replaces what the key holds and keeps the key's place in the order; a key deleted and put again
 *       counts as first put at that later time. Deleting an absent key does nothing.</li>
 *   <li>Byte arrays are copied in and out as described on {@link dev.junction.storage.MessageStore}: a put
 *       copies {@code data} before it returns, and every read returns fresh arrays.</li>
 *   <li>Every call throws {@link IllegalStateException} once the store is closed.</li>
 * </ul>
 *
 * @param <K> the key, a record with value equality
 */
public interface KeyedTable<K> {

    /** One entry with a fresh copy of its data. */
    record Row<K>(K key, byte[] data) {
    }

    /** One key with the length of its data. */
    record Sized<K>(K key, int size) {
    }

    CompletableFuture<Void> put(K key, byte[] data);

    CompletableFuture<Void> delete(K key);

    /** A fresh copy of what {@code key} holds, or null when it holds nothing. */
    byte[] get(K key);

    /** Every entry, in the order the keys were first put. */
    List<Row<K>> all();

    /** Every key with the length of its data, in the same order, without copying any data. */
    List<Sized<K>> sizes();
}
