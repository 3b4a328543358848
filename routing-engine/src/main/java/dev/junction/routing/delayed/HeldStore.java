package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Where a durable delayed exchange keeps its persistent held messages: the message store as it is, under a queue
 * key of its own, {@code amq.delayed/<exchange>}, and the store's {@link TimeIndex} for that key. No client can
 * declare a queue by that name ({@code amq.} is reserved), so the key is never a queue: nothing routes to it and no
 * listing shows it. Each record is the due time (8 bytes, epoch milliseconds) followed by the encoded message as it
 * is to be released; the store fsyncs it like any queue's message, pages it like any other and reclaims it once
 * removed. The time index says when each record is due without reading it, and is checked against the store's ids
 * at start ({@link #recover}): the store is the record of what is held.
 */
public final class HeldStore {
    private static final String PREFIX = "amq.delayed/";
    private static final int RECOVERY_PAGE = 4096;

    private final MessageStore store;
    private final QueueKey key;
    private final LongSupplier ids;
    private final Function<Message, byte[]> encode;
    private final Function<byte[], Message> decode;
    /** Opened on the owner's thread at first use, so that a deleted namesake's index is gone by then. */
    private TimeIndex index;

    /**
     * @param ids the engine's message ids, increasing across restarts
     * @param encode the engine's message encoding, {@code decode} its inverse
     */
    public HeldStore(MessageStore store, String vhost, String exchange, LongSupplier ids,
                     Function<Message, byte[]> encode, Function<byte[], Message> decode) {
        this.store = store;
        this.key = new QueueKey(vhost, PREFIX + exchange);
        this.ids = ids;
        this.encode = encode;
        this.decode = decode;
    }

    /** The exchange whose held messages a stored queue key holds, or null when the key is an ordinary queue's. */
    public static String exchangeOf(QueueKey key) {
        return key.name().startsWith(PREFIX) ? key.name().substring(PREFIX.length()) : null;
    }

    long nextId() {
        return ids.getAsLong();
    }

    /** The time index; owner thread only. */
    TimeIndex index() {
        if (index == null) {
            index = store.timeIndex(key);
        }
        return index;
    }

    /** Writes {@code message}, due at {@code dueAt}; the future completes once it is durable. */
    CompletableFuture<Void> append(long id, long dueAt, Message message) {
        byte[] encoded = encode.apply(message);
        byte[] data = ByteBuffer.allocate(Long.BYTES + encoded.length).putLong(dueAt).put(encoded).array();
        return store.append(new StoredMessage(id, data), List.of(key));
    }

    /** The held message with {@code id}, or null when the store no longer has it (released already). */
    Message read(long id) {
        List<StoredMessage> found = store.read(key, new long[] {id});
        if (found.isEmpty()) {
            return null;
        }
        byte[] data = found.get(0).data();
        byte[] encoded = new byte[data.length - Long.BYTES];
        System.arraycopy(data, Long.BYTES, encoded, 0, encoded.length);
        return decode.apply(encoded);
    }

    void remove(long id) {
        store.remove(key, id);
    }

    /** Forgets every held message (the exchange was deleted); owner thread. */
    void drop() {
        store.removeQueue(key);
        index().clear();
    }

    /**
     * Makes the time index cover every stored message and returns how many there are (start-up). The index's ids
     * are compared with the store's, page by page; a stored message the index lacks (its entry was not yet written
     * when the broker stopped) is read once for its due time and added. An entry whose message is gone stays and
     * is skipped at release. Costs 8 bytes of heap per indexed entry while it runs.
     */
    long recover() {
        TimeIndex idx = index();
        long[] indexed = idx.ids();
        Arrays.sort(indexed);
        long after = 0;
        long n = 0;
        IdPage page;
        while (!(page = store.ids(key, after, RECOVERY_PAGE)).isEmpty()) {
            long[] missing = Arrays.stream(page.ids()).filter(id -> Arrays.binarySearch(indexed, id) < 0).toArray();
            if (missing.length > 0) {
                for (StoredMessage m : store.read(key, missing)) {
                    idx.add(ByteBuffer.wrap(m.data()).getLong(), m.id());
                }
            }
            n += page.size();
            after = page.lastId();
        }
        idx.flush();
        return n;
    }
}
